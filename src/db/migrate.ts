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

/**
 * Applies the versioned SQL files in order, each in its own transaction. A session advisory lock
 * serialises replicas that start together; the later ones find nothing left to do.
 *
 * The session runs without the pool's statement timeout: a replica may wait for the lock as long as
 * another one's migration takes, and one statement (an index build, a backfill) may take longer than
 * a request may. The setting lives on the session, as the lock does (the wait for the lock is outside
 * any transaction, so SET LOCAL would not cover it); the connection is therefore closed afterwards
 * instead of going back to the pool, whose other users keep their timeout. Table locks, unlike the
 * migration lock, are waited for TABLE_LOCK_TIMEOUT_SECONDS at most.
 */
export async function migrate(pool: pg.Pool): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
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
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    // Discarded, not returned: closing the session also ends its lock should the unlock above have failed.
    client.release(true);
  }
}

// PostgreSQL's lock_not_available: lock_timeout passed.
const LOCK_NOT_AVAILABLE = '55P03';

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
