// The background-job settings whose effect no other suite notices: JOBS_ENABLED=false, ASSET_PURGE_DELETED_DAYS
// and JOB_BATCH_SIZE. Each test sets a value other than the default and checks what the real jobs do with it
// against the real database, so that a setting read but not passed on to the jobs fails here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../../support/eventually.js';
import { ownInfra, startTestService, type TestService } from '../../support/test-service.js';
import { deletedDaysAgo, rowExists } from '../../support/uploads.js';

const PURGE = 'purge-deleted-assets';

// One database, bucket pair and issuer for both services of this file, each started after the other stopped.
let infra: Awaited<ReturnType<typeof ownInfra>>;
before(async () => {
  infra = await ownInfra();
});
after(() => infra?.release());

describe('the purge of DELETED assets, with ASSET_PURGE_DELETED_DAYS=60 and JOB_BATCH_SIZE=2', () => {
  let svc: TestService;
  let token: string;
  before(async () => {
    svc = await startTestService({
      JOB_PURGE_INTERVAL_SECONDS: '1',
      ASSET_PURGE_DELETED_DAYS: '60',
      JOB_BATCH_SIZE: '2',
      // Only the purge runs while these tests do.
      JOB_EXPIRE_INTERVAL_SECONDS: '86400',
      JOB_ORPHAN_INTERVAL_SECONDS: '604800',
    }, { shareWith: infra });
    token = await svc.token('purge-settings-owner');
    // Each DELETE the service runs on assets records how many rows it removed at once (the purge is the only one).
    await svc.db.query(`CREATE TABLE purge_statements (rows int NOT NULL)`);
    await svc.db.query(`CREATE FUNCTION record_purge_statement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO purge_statements SELECT count(*) FROM removed; RETURN NULL; END $$`);
    await svc.db.query(`CREATE TRIGGER record_purge_statement AFTER DELETE ON assets REFERENCING OLD TABLE AS removed
      FOR EACH STATEMENT EXECUTE FUNCTION record_purge_statement()`);
  });
  after(() => svc?.stop());

  test('keeps a DELETED row for the configured 60 days, not the default 30, and purges it after them', async () => {
    const within = await deletedDaysAgo(svc, token, 45);
    const past = await deletedDaysAgo(svc, token, 61);
    await eventually(async () => !(await rowExists(svc, past)), 'the row deleted 61 days ago to be purged', { timeoutMs: 15_000 });
    const runsBefore = svc.running.jobs.stats.of(PURGE).runs;
    await eventually(() => svc.running.jobs.stats.of(PURGE).runs >= runsBefore + 2, 'two more purge runs', { timeoutMs: 15_000 });
    assert.equal(await rowExists(svc, within), true, 'a row deleted 45 days ago was purged although the retention is 60 days');
  });

  test('removes DELETED rows in statements of at most JOB_BATCH_SIZE (2) rows, repeating them until none is left', async () => {
    await svc.db.query('TRUNCATE purge_statements');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await deletedDaysAgo(svc, token, 0));
    // Purged by the job only once all five are old enough, so that one run finds all of them.
    await svc.db.query(`UPDATE assets SET deleted_at = now() - interval '90 days' WHERE id = ANY($1)`, [ids]);
    await eventually(async () => (await svc.db.query('SELECT 1 FROM assets WHERE id = ANY($1)', [ids])).rowCount === 0, 'all five rows to be purged', { timeoutMs: 15_000 });
    const { rows } = await svc.db.query<{ rows: number }>('SELECT rows FROM purge_statements WHERE rows > 0');
    assert.deepEqual(rows.map((r) => r.rows).sort(), [1, 2, 2], `rows removed per statement: ${JSON.stringify(rows)}`);
  });
});

describe('JOBS_ENABLED=false', () => {
  let svc: TestService;
  before(async () => {
    // Every job would run each second, and purge at once what was deleted, if this replica ran them.
    svc = await startTestService({
      JOBS_ENABLED: 'false',
      JOB_PURGE_INTERVAL_SECONDS: '1',
      JOB_EXPIRE_INTERVAL_SECONDS: '1',
      JOB_ORPHAN_INTERVAL_SECONDS: '1',
      ASSET_PURGE_DELETED_DAYS: '0',
    }, { shareWith: infra });
  });
  after(() => svc?.stop());

  test('runs no background job in the replica: a DELETED row past its retention stays, and no job ever runs', async () => {
    const token = await svc.token('jobs-off-owner');
    const id = await deletedDaysAgo(svc, token, 1);
    await sleep(3000);
    assert.equal(await rowExists(svc, id), true, 'the purge ran although JOBS_ENABLED=false');
    for (const job of [PURGE, 'expire-stale-uploads', 'sweep-orphaned-objects']) assert.equal(svc.running.jobs.stats.of(job).runs, 0, `${job} ran`);
  });
});
