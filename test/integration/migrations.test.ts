// Database migrations as operators meet them: several replicas starting at once against an empty
// database, and the `migrate` command of a deployment job.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { migrate, MIGRATION_LOCK_ID } from '../../src/db/migrate.js';
import { createPool } from '../../src/db/pool.js';
import { directoryWithDotEnv, npmScriptNodeFlags, runCli, startCli, type CliProcess } from '../support/cli-process.js';
import { eventually } from '../support/eventually.js';
import { createDatabase, endPool } from '../support/infra.js';
import { infraEnv, ownInfra } from '../support/test-service.js';

async function migrationFiles(): Promise<string[]> {
  const files = await readdir(new URL('../../src/db/migrations/', import.meta.url));
  return files.filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
}

async function appliedVersions(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
  } finally {
    await client.end();
  }
}

/** A fresh database, a session of another party (`holder`) to hold locks in it, and the service's pool of one connection. */
async function contendedDatabase(t: TestContext) {
  const database = await createDatabase();
  const holder = new pg.Client({ connectionString: database.url });
  const pool = createPool(database.url, 1);
  // One hook, in order: the database is dropped only once its connections have ended.
  t.after(async () => {
    await holder.end().catch(() => undefined);
    await endPool(pool);
    await database.drop();
  });
  await holder.connect();
  return { database, holder, pool };
}

describe('database migrations', { concurrency: true }, () => {
  let infra: Awaited<ReturnType<typeof ownInfra>>;
  before(async () => {
    infra = await ownInfra();
  });
  after(() => infra.release());

  test('three replicas starting at once on one empty database all become healthy, and each migration is applied once', async () => {
    const env = { ...infraEnv(infra), LOG_LEVEL: 'info' };
    const replicas: CliProcess[] = [0, 1, 2].map(() => startCli(['serve'], env));
    try {
      const urls = await Promise.all(replicas.map((r) => r.listening(90_000)));
      for (const [i, url] of urls.entries()) assert.equal((await fetch(`${url}/health`)).status, 200, replicas[i]!.stdout());
      assert.deepEqual(await appliedVersions(infra.databaseUrl), await migrationFiles());
      assert.deepEqual(await Promise.all(replicas.map((r) => r.terminate())), [0, 0, 0]);
    } finally {
      for (const replica of replicas) replica.child.kill('SIGKILL');
    }
  });

  test('`migrate` applies every migration to a fresh database and says which, then reports nothing to apply', async (t) => {
    const database = await createDatabase();
    t.after(() => database.drop());
    const env = { DATABASE_URL: database.url };
    const first = await runCli(['migrate'], env, { timeoutMs: 90_000 });
    assert.equal(first.code, 0, first.stderr);
    const files = await migrationFiles();
    assert.equal(first.stdout, `Applied migrations: ${files.join(', ')}\n`);
    assert.deepEqual(await appliedVersions(database.url), files);
    const second = await runCli(['migrate'], env, { timeoutMs: 90_000 });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'Database is up to date; nothing to apply.\n');
    assert.deepEqual(await appliedVersions(database.url), files);
  });

  // `npm run migrate` in a deployment directory: Node's options from package.json's script, and no
  // setting in the environment, only DATABASE_URL in ./.env. Without --env-file-if-exists the command
  // would stop at once with "DATABASE_URL or POSTGRES_HOST is required", and this fresh database would stay empty.
  test('`npm run migrate` reads DATABASE_URL from .env in the directory it runs in, and migrates that database', async (t) => {
    const database = await createDatabase();
    t.after(() => database.drop());
    const { dir, remove } = await directoryWithDotEnv({ DATABASE_URL: database.url });
    t.after(remove);
    const result = await runCli(['migrate'], {}, { cwd: dir, nodeFlags: npmScriptNodeFlags('migrate', ['migrate']), timeoutMs: 90_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const files = await migrationFiles();
    assert.equal(result.stdout, `Applied migrations: ${files.join(', ')}\n`);
    assert.deepEqual(await appliedVersions(database.url), files);
  });

  // A replica that starts while another one runs a long migration waits for the migration lock longer
  // than the pool's 10 s statement timeout. The wait, like a long index build, must not fail its start.
  test('a replica waiting more than 10 s for the migration lock still migrates once the lock is released, and the pool keeps its statement timeout', async (t) => {
    const { database, holder, pool } = await contendedDatabase(t);
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const started = Date.now();
    const migrating = migrate(pool).then(
      (result) => ({ result, ms: Date.now() - started }),
      (error: Error) => ({ error, ms: Date.now() - started }),
    );
    await eventually(
      async () => (await holder.query("SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).rows[0].waiting,
      'migrate to wait for the migration lock',
    );
    await sleep(11_000 - (Date.now() - started));
    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    const outcome = await migrating;
    assert.ok(!('error' in outcome), `migrate failed after ${outcome.ms} ms: ${'error' in outcome ? outcome.error.message : ''}`);
    assert.ok(outcome.ms >= 11_000, `migrate returned after ${outcome.ms} ms, before the lock was released`);
    const files = await migrationFiles();
    assert.deepEqual(outcome.result.applied, files);
    assert.deepEqual(await appliedVersions(database.url), files);
    // The migration's session went without a timeout; the connections the service queries with keep theirs.
    assert.equal((await pool.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]?.statement_timeout, '10s');
  });

  test('a replica gives up on the migration lock after DATABASE_MIGRATION_LOCK_TIMEOUT_SECONDS, naming the session that holds it, having applied nothing', async (t) => {
    const { holder, pool } = await contendedDatabase(t);
    await holder.query("SET application_name = 'stuck-replica'");
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const started = Date.now();
    const error = await migrate(pool, { lockTimeoutSeconds: 2 }).then(() => null, (e: Error) => e);
    const ms = Date.now() - started;
    assert.ok(error, 'migrate succeeded although another session held the migration lock');
    assert.match(
      error.message,
      new RegExp(`^Database migrations waited 2 s \\(DATABASE_MIGRATION_LOCK_TIMEOUT_SECONDS\\) for the migration lock: session ${holderPid} \\(application "stuck-replica" from 127\\.0\\.0\\.1, connected \\d+ s ago\\) holds it\\. .*SELECT pg_terminate_backend\\(${holderPid}\\).* Nothing was applied\\.$`),
    );
    assert.ok(ms >= 1_900 && ms < 20_000, `gave up after ${ms} ms`);
    const tables = await holder.query("SELECT to_regclass('schema_migrations') IS NULL AS absent");
    assert.equal(tables.rows[0].absent, true, 'nothing was created');
  });

  test('`migrate` exits 1 with the lock message when another session keeps the migration lock past the timeout', async (t) => {
    const { database, holder } = await contendedDatabase(t);
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const result = await runCli(['migrate'], { DATABASE_URL: database.url, DATABASE_MIGRATION_LOCK_TIMEOUT_SECONDS: '1' }, { timeoutMs: 60_000 });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /Database migrations waited 1 s \(DATABASE_MIGRATION_LOCK_TIMEOUT_SECONDS\) for the migration lock: session \d+ /);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  test('a migration waits at most 3 s for a table another session holds, then fails saying so, having applied nothing', async (t) => {
    const { database, holder, pool } = await contendedDatabase(t);
    // A long transaction holding a table the migrations need (here the one that records them).
    await holder.query('CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE');
    const started = Date.now();
    const error = await migrate(pool).then(() => null, (e: Error & { code?: string }) => e);
    const ms = Date.now() - started;
    assert.ok(error, 'migrate succeeded although the table was locked');
    assert.match(error.message, /^Database migrations could not lock a table within 3 s \(canceling statement due to lock timeout\): another session holds it, typically a long transaction\. No migration was left half-applied/);
    assert.ok(ms >= 2_900 && ms < 20_000, `gave up after ${ms} ms`);
    await holder.query('COMMIT');
    assert.deepEqual(await appliedVersions(database.url), [], 'nothing was applied');
  });
});
