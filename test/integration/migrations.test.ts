// Database migrations as operators meet them: several replicas starting at once against an empty
// database, and the `migrate` command of a deployment job.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { directoryWithDotEnv, npmScriptNodeFlags, runCli, startCli, type CliProcess } from '../support/cli-process.js';
import { createDatabase } from '../support/infra.js';
import { ownInfra, serviceEnv } from '../support/test-service.js';

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

describe('database migrations', { concurrency: true }, () => {
  let infra: Awaited<ReturnType<typeof ownInfra>>;
  before(async () => {
    infra = await ownInfra();
  });
  after(() => infra.release());

  test('three replicas starting at once on one empty database all become healthy, and each migration is applied once', async () => {
    const env = { ...serviceEnv(infra.databaseUrl, infra.issuer.jwksUrl, infra.publicBucket, infra.privateBucket), LOG_LEVEL: 'info' };
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
});
