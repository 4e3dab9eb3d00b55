import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Arbitrary constant shared by all replicas: whoever holds it migrates, the others wait.
export const MIGRATION_LOCK_ID = 7_318_045_112;
/**
 * How long a migration waits for a table lock. A schema change queued behind a long transaction queues
 * every query of the running replicas behind itself: better to give up soon (well before their 10 s
 * statement timeout), and let the start fail with the reason and be tried again.
 */
const TABLE_LOCK_TIMEOUT_SECONDS = 3;

export interface MigrationResult {
  applied: string[];
}

export interface MigrationOptions {
  /** How long to wait for the migration lock while another session holds it (DATABASE_MIGRATION_LOCK_TIMEOUT_SECONDS, default 90). */
  lockTimeoutSeconds: number;
}

/**
 * Applies the versioned SQL files in order, each in its own transaction. A session advisory lock
 * serialises replicas that start together; the later ones find nothing left to do.
 *
 * The session runs without the pool's statement timeout: a replica may wait for the lock as long as
 * another one's migration takes, and one statement (an index build, a backfill) may take longer than
 * a request may. The setting lives on the session, as the lock does (the wait for the lock is outside
 * any transaction, so SET LOCAL would not cover it); the connection is therefore closed afterwards
 * instead of going back to the pool, whose other users keep their timeout. The migration lock is waited
 * for `lockTimeoutSeconds` at most, table locks TABLE_LOCK_TIMEOUT_SECONDS.
 */
export async function migrate(pool: pg.Pool, options: MigrationOptions = { lockTimeoutSeconds: 90 }): Promise<MigrationResult> {
  // lock_timeout 0 would mean waiting forever: the very thing the setting bounds.
  if (!(options.lockTimeoutSeconds >= 1)) throw new RangeError(`lockTimeoutSeconds must be at least 1, not ${options.lockTimeoutSeconds}`);
  const client = await pool.connect();
  try {
    await client.query('SET statement_timeout = 0');
    await takeMigrationLock(client, options.lockTimeoutSeconds);
    return await applyPending(client);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    // Discarded, not returned: closing the session also ends its lock should the unlock above have failed.
    client.release(true);
  }
}

async function applyPending(client: pg.PoolClient): Promise<MigrationResult> {
  try {
    await client.query(`SET lock_timeout = '${TABLE_LOCK_TIMEOUT_SECONDS}s'`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const applied: string[] = [];
    for (const file of await migrationFiles()) {
      if (done.has(file)) continue;
      await applyMigration(client, file);
      applied.push(file);
    }
    return { applied };
  } catch (error) {
    throw (error as { code?: string }).code === LOCK_NOT_AVAILABLE ? tableLockRefused(error as Error) : error;
  }
}

// PostgreSQL's lock_not_available: lock_timeout passed.
const LOCK_NOT_AVAILABLE = '55P03';

/** lock_timeout bounds the wait for an advisory lock too; a timeout names the session holding it, for the operator to judge. */
async function takeMigrationLock(client: pg.PoolClient, timeoutSeconds: number): Promise<void> {
  await client.query(`SET lock_timeout = '${timeoutSeconds}s'`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
  } catch (error) {
    if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
    // Naming the holder is a courtesy: the timeout is the error, whatever this lookup meets.
    throw migrationLockRefused(timeoutSeconds, await migrationLockHolder(client).catch(() => undefined));
  }
}

interface LockHolder {
  pid: number;
  application_name: string | null;
  client_addr: string | null;
  /** Null when this role may not see the other session's details (pg_read_all_stats). */
  connected_seconds: number | null;
}

// A bigint advisory lock shows in pg_locks as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
async function migrationLockHolder(client: pg.PoolClient): Promise<LockHolder | undefined> {
  const { rows } = await client.query<LockHolder>(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr,
            floor(extract(epoch FROM now() - a.backend_start))::int AS connected_seconds
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND (l.classid::bigint << 32 | l.objid::bigint) = $1`,
    [MIGRATION_LOCK_ID],
  );
  return rows[0];
}

function describeSession({ application_name, client_addr, connected_seconds }: LockHolder): string {
  const from = client_addr ? ` from ${client_addr}` : '';
  const since = connected_seconds === null ? '' : `, connected ${connected_seconds} s ago`;
  return `application "${application_name ?? ''}"${from}${since}`;
}

function migrationLockRefused(timeoutSeconds: number, holder: LockHolder | undefined): Error {
  const who = holder
    ? `session ${holder.pid} (${describeSession(holder)}) holds it`
    : 'the session that held it has just let it go';
  return Object.assign(
    new Error(
      `Database migrations waited ${timeoutSeconds} s (DATABASE_MIGRATION_LOCK_TIMEOUT_SECONDS) for the migration lock: ${who}. ` +
        'Another replica is most likely migrating: start again once it is done. If none is, end that session ' +
        `(SELECT pg_terminate_backend(${holder?.pid ?? '<pid>'})) and start again. Nothing was applied.`,
    ),
    { code: LOCK_NOT_AVAILABLE },
  );
}

function tableLockRefused(error: Error): Error {
  return Object.assign(
    new Error(
      `Database migrations could not lock a table within ${TABLE_LOCK_TIMEOUT_SECONDS} s (${error.message}): another session holds it, ` +
        'typically a long transaction. No migration was left half-applied: end that transaction, then start again.',
    ),
    { code: LOCK_NOT_AVAILABLE },
  );
}

async function migrationFiles(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
}

async function applyMigration(client: pg.PoolClient, file: string): Promise<void> {
  const sql = await readFile(`${MIGRATIONS_DIR}${file}`, 'utf8');
  try {
    await client.query('BEGIN');
    await client.query(sql);
    await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw Object.assign(new Error(`Database migration ${file} failed: ${(error as Error).message}`), { code: (error as { code?: string }).code });
  }
}

/** Migrations not yet applied, for health and doctor checks. */
export async function pendingMigrations(pool: pg.Pool): Promise<string[]> {
  const exists = await pool.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  const done = exists.rows[0]?.present ? new Set((await pool.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version)) : new Set<string>();
  return (await migrationFiles()).filter((f) => !done.has(f));
}
