import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../../src/dev/postmaster-pid.js';
import { eventually } from './eventually.js';
import { requireEnv } from './infra.js';

/** Runs pg_ctl as the postgres user against the test cluster started by scripts/infra/postgres-start.sh. */
function pgCtl(...args: string[]): void {
  execFileSync('runuser', ['-u', 'postgres', '--', `${requireEnv('PGBIN')}/pg_ctl`, '-D', `${requireEnv('PGTMP')}/data`, ...args], { stdio: 'ignore' });
}

/** Stops the real test PostgreSQL and returns how to start it again with the options it ran with. */
export function stopPostgres(): () => void {
  // postmaster.opts holds the server's command line: "-p" "54329" "-k" ... (without -D, which pg_ctl adds).
  const opts = readFileSync(`${requireEnv('PGTMP')}/data/postmaster.opts`, 'utf8');
  const args = [...opts.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  const options = args.filter((_, i) => args[i] !== '-D' && args[i - 1] !== '-D').join(' ');
  pgCtl('-m', 'fast', '-w', 'stop');
  return () => pgCtl('-l', `${requireEnv('PGTMP')}/postgres.log`, '-w', '-t', '60', 'start', '-o', options);
}

/** Stops the real RADOS Gateway of the test Ceph and returns how to start it again (resolving once it answers). */
export async function stopRadosGateway(): Promise<() => Promise<void>> {
  const cephDir = requireEnv('CEPH_DIR');
  const pid = Number(readFileSync(`${cephDir}/run/ceph-client.rgw.a.pid`, 'utf8'));
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(100);
  return async () => {
    execFileSync('radosgw', ['-c', `${cephDir}/ceph.conf`, '-n', 'client.rgw.a'], { stdio: 'ignore' });
    await eventually(() => answers(requireEnv('TEST_S3_ENDPOINT')), 'the RADOS Gateway to answer after its restart', { timeoutMs: 60_000, intervalMs: 250 });
  };
}

async function answers(url: string): Promise<boolean> {
  return fetch(url).then(() => true, () => false);
}
