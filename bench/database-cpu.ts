import pg from 'pg';
import type { Cleanup } from './cleanup.js';
import { processCpuSeconds } from './process-cpu.js';

/** CPU seconds so far per PostgreSQL backend process id. */
export type BackendCpu = Map<number, number>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Reads the CPU time of the PostgreSQL backends serving one database (the service's pool), which on
 * these machines is as large a cost per request as the service's own. Only when PostgreSQL runs on
 * this machine: elsewhere its process ids mean nothing here, and this returns undefined.
 */
export async function databaseCpuReader(adminUrl: string, databaseUrl: string, cleanup: Cleanup): Promise<(() => Promise<BackendCpu>) | undefined> {
  if (!LOOPBACK.has(new URL(databaseUrl).hostname)) return undefined;
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const admin = new pg.Client({ connectionString: adminUrl, application_name: 'neotool-assets-bench' });
  await admin.connect();
  cleanup.add(() => admin.end());
  return async () => {
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    return new Map(rows.flatMap(({ pid }) => {
      const seconds = processCpuSeconds(pid);
      return seconds === null ? [] : [[pid, seconds] as const];
    }));
  };
}

/** CPU the backends used between two readings; one that started in between counts from zero. */
export function backendCpuBetween(before: BackendCpu, after: BackendCpu): number {
  let seconds = 0;
  for (const [pid, now] of after) seconds += now - (before.get(pid) ?? 0);
  return seconds;
}
