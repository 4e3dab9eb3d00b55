import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

type Holder = 'gone' | 'orphaned' | 'running' | 'unknown';

/**
 * PostgreSQL refuses to start while postmaster.pid names a live process it may signal. After a SIGKILL
 * the file stays behind, and once pids are reused (say after a container restart) it blocks every start.
 * Remove it unless its pid is this data directory's server; shut that server down when the dev run that
 * started it was killed and left it orphaned.
 */
export async function clearStalePostmasterPid(databaseDir: string): Promise<void> {
  const file = path.join(databaseDir, 'postmaster.pid');
  const pid = await readPid(file);
  if (pid === undefined) return;
  const holder = await classify(pid, databaseDir);
  if (holder === 'gone') return rm(file, { force: true });
  if (holder === 'orphaned') return shutDown(pid);
  if (holder === 'running') {
    throw new Error(`PostgreSQL (pid ${pid}) is already running on ${databaseDir}: another dev environment uses this data directory. Stop it first.`);
  }
  throw new Error(`${file} names pid ${pid}, which is alive. If it is a leftover dev PostgreSQL, stop it (kill ${pid}); if not, delete ${file}.`);
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Only Linux tells, through /proc, what a live pid runs and who its parent is. */
async function classify(pid: number, databaseDir: string): Promise<Holder> {
  if (!isAlive(pid)) return 'gone';
  const [cmdline, stat] = await Promise.all([readFile(`/proc/${pid}/cmdline`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')].map((read) => read.catch(() => undefined)));
  if (cmdline === undefined || stat === undefined) return 'unknown';
  if (!cmdline.includes(`\0-D\0${databaseDir}\0`)) return 'gone'; // the pid now belongs to another program
  return /^\d+ \(.*\) \S+ 1 /.test(stat) ? 'orphaned' : 'running';
}

/** EPERM counts as gone, as for PostgreSQL: its server always runs as a user we may signal. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGINT is PostgreSQL's "fast shutdown": it rolls back open transactions and removes postmaster.pid. */
async function shutDown(pid: number, timeoutMs = 15_000): Promise<void> {
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`A leftover dev PostgreSQL (pid ${pid}) did not shut down; stop it with kill -9 ${pid}.`);
    await sleep(50);
  }
}
