import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { after, afterEach, before, describe, test } from 'node:test';
import { JobQueries } from '../../../src/db/job-queries.js';
import { PostgresJobLocks } from '../../../src/db/job-locks.js';
import { RunCounts } from '../../../src/jobs/job.js';
import { OrphanSweepJob } from '../../../src/jobs/orphan-sweep.js';
import { stagingKey } from '../../../src/domain/storage-key.js';
import { capturedLogger } from '../../support/captured-logs.js';
import { fixture } from '../../support/fixtures.js';
import { endPool } from '../../support/infra.js';
import { createUpload, uploadedAsset } from '../../support/flows.js';
import { startTestService, type TestService } from '../../support/test-service.js';
import { confirmReady, fixtureInput, objectExists, uploadLocation } from '../../support/uploads.js';
import { uploadTo } from '../../support/operations.js';

/** The statements and locks two replicas would use, on two separate pools, with no job runner in the way. */
describe('job coordination in PostgreSQL', () => {
  let svc: TestService;
  let replicaA: pg.Pool;
  let replicaB: pg.Pool;
  let token: string;
  before(async () => {
    svc = await startTestService({ JOBS_ENABLED: 'false' });
    replicaA = new pg.Pool({ connectionString: svc.databaseUrl });
    replicaB = new pg.Pool({ connectionString: svc.databaseUrl, statement_timeout: 2000 });
    token = await svc.token('alice');
  });
  // Every test starts without stale uploads: claims see only the rows the test made.
  afterEach(() => svc.db.query(`UPDATE assets SET status = 'FAILED', failure_reason = 'UPLOAD_EXPIRED' WHERE status = 'PENDING'`));
  after(async () => {
    if (replicaA) await endPool(replicaA);
    if (replicaB) await endPool(replicaB);
    await svc?.stop();
  });

  /** One run of the orphan sweep with ORPHAN_DELETE=false over the service's buckets, as replica A; its counts. */
  async function reportOnlySweep(logger: Logger, graceSeconds: number, pageSize = 1000): Promise<RunCounts> {
    const job = new OrphanSweepJob(svc.s3, { PUBLIC: svc.publicBucket, PRIVATE: svc.privateBucket }, new JobQueries(replicaA), { intervalSeconds: 60, graceSeconds, delete: false, pageSize }, logger);
    const counts = new RunCounts();
    await job.run(new AbortController().signal, counts);
    return counts;
  }
  const sweepReport = (logs: ReturnType<typeof capturedLogger>) => logs.lines().find((l) => l.job === 'sweep-orphaned-objects' && l.orphans !== undefined);

  async function staleUploads(n: number): Promise<string[]> {
    const assets = await Promise.all(Array.from({ length: n }, () => createUpload(svc, token, fixtureInput('image.png', 'user-profiles', 'image/png'))));
    const ids = assets.map((a) => a.id);
    await svc.db.query(`UPDATE assets SET upload_expires_at = now() - interval '1 hour' WHERE id = ANY($1)`, [ids]);
    return ids;
  }

  test('two replicas claiming at the same moment never get the same stale upload', async () => {
    const ids = await staleUploads(10);
    const [first, second] = await Promise.all([new JobQueries(replicaA).claimStaleUploads(0, 6, 60), new JobQueries(replicaB).claimStaleUploads(0, 6, 60)]);
    const claimed = [...first, ...second].map((a) => a.id);
    assert.equal(new Set(claimed).size, claimed.length, 'an upload was claimed twice');
    assert.deepEqual(claimed.sort(), ids.sort());
    assert.ok(first.every((a) => a.status === 'PENDING' && a.version === 0), 'a claim must not count as a transition');
  });

  test('a claim skips rows another replica is still claiming instead of waiting for them', async () => {
    const ids = await staleUploads(5);
    const claiming = await replicaA.connect();
    try {
      await claiming.query('BEGIN');
      const held = await new JobQueries(claiming).claimStaleUploads(0, 2, 60);
      // Without SKIP LOCKED this would wait for the open transaction and hit replicaB's statement timeout.
      const skipped = await new JobQueries(replicaB).claimStaleUploads(0, 100, 60);
      assert.deepEqual([...held, ...skipped].map((a) => a.id).sort(), ids.sort());
    } finally {
      await claiming.query('ROLLBACK');
      claiming.release();
    }
  });

  test('a claimed upload is not claimed again until its lease runs out, as after a replica died mid-batch', async () => {
    const [id] = await staleUploads(1);
    const queries = new JobQueries(replicaA);
    assert.deepEqual((await queries.claimStaleUploads(0, 100, 60)).map((a) => a.id), [id]);
    assert.deepEqual(await new JobQueries(replicaB).claimStaleUploads(0, 100, 60), []);
    await svc.db.query(`UPDATE assets SET job_lease_until = now() - interval '1 second' WHERE id = $1`, [id]);
    assert.deepEqual((await new JobQueries(replicaB).claimStaleUploads(0, 100, 60)).map((a) => a.id), [id]);
  });

  test('an upload is not stale before its window plus the grace period has passed', async () => {
    const [id] = await staleUploads(1);
    await svc.db.query(`UPDATE assets SET upload_expires_at = now() - interval '30 seconds' WHERE id = $1`, [id]);
    assert.deepEqual(await new JobQueries(replicaA).claimStaleUploads(60, 100, 60), []);
    assert.deepEqual((await new JobQueries(replicaA).claimStaleUploads(10, 100, 60)).map((a) => a.id), [id]);
  });

  test("only one replica at a time holds a job's lock, and releasing it lets another take it", async () => {
    const locksA = new PostgresJobLocks(replicaA);
    const locksB = new PostgresJobLocks(replicaB);
    const held = await locksA.tryAcquire('purge-deleted-assets');
    assert.ok(held);
    assert.equal(await locksB.tryAcquire('purge-deleted-assets'), null);
    const otherJob = await locksB.tryAcquire('expire-stale-uploads');
    assert.ok(otherJob, 'a different job is not blocked');
    await otherJob.release();
    await held.release();
    const taken = await locksB.tryAcquire('purge-deleted-assets');
    assert.ok(taken);
    await taken.release();
  });

  test('the orphan sweep in report-only mode names the orphans in the log and deletes nothing', async () => {
    const strays = ['stray/one.txt', 'stray/two.txt'];
    for (const key of strays) await svc.s3.send(new PutObjectCommand({ Bucket: svc.privateBucket, Key: key, Body: 'nobody owns me' }));
    const live = await uploadedAsset(svc, token, fixtureInput('image.png', 'user-profiles', 'image/png'), fixture('image.png'));
    await confirmReady(svc, token, live.id);
    const logs = capturedLogger('info');
    const sweep = (graceSeconds: number, pageSize?: number) => reportOnlySweep(logs.logger, graceSeconds, pageSize);

    assert.equal((await sweep(3600)).processed, 0, 'objects younger than the grace period are never orphans');
    const counts = await sweep(0);
    assert.equal(counts.processed, strays.length);
    assert.equal(counts.byKind.scanned, strays.length + 1, 'the strays and the asset object (its upload went at confirm)');
    const report = sweepReport(logs);
    assert.deepEqual(report?.keys.sort(), strays.map((k) => `${svc.privateBucket}/${k}`));
    assert.match(report?.msg, /ORPHAN_DELETE=true/);

    // The page size decides the listings: pages of one key take a listing per key.
    let listings = 0;
    svc.s3.middlewareStack.add((next, context) => (args) => {
      if (context.commandName === 'ListObjectsV2Command') listings++;
      return next(args);
    }, { step: 'initialize', name: 'countListings' });
    try {
      const paged = await sweep(0, 1);
      assert.equal(paged.processed, strays.length);
      assert.ok(listings >= paged.byKind.scanned!, `${listings} listings for ${paged.byKind.scanned} keys`);
    } finally {
      svc.s3.middlewareStack.remove('countListings');
    }
    for (const key of strays) assert.equal(await objectExists(svc, { storageBucket: svc.privateBucket, storageKey: key }), true);
    assert.equal(await objectExists(svc, live), true);
  });

  test("in report-only mode the orphan sweep still deletes leftover uploads under the staging prefix, never a PENDING asset's upload", async () => {
    const pending = await uploadedAsset(svc, token, fixtureInput('image.png', 'user-profiles', 'image/png'), fixture('image.png'));
    const ready = await uploadedAsset(svc, token, fixtureInput('image.png', 'user-profiles', 'image/png'), fixture('image.png'));
    await confirmReady(svc, token, ready.id);
    assert.equal((await uploadTo(ready, fixture('image.png'))).status, 200, 'a PUT after confirm lands at the staging key');
    const leftovers = [uploadLocation(svc, ready), { storageBucket: svc.privateBucket, storageKey: stagingKey(randomUUID()) }];
    await svc.s3.send(new PutObjectCommand({ Bucket: leftovers[1]!.storageBucket, Key: leftovers[1]!.storageKey, Body: 'left behind' }));
    const stray = { storageBucket: svc.privateBucket, storageKey: 'stray/kept.txt' };
    // Uploads live in the private bucket only: this one was put in the public bucket by hand.
    const handPlaced = { storageBucket: svc.publicBucket, storageKey: stagingKey(randomUUID()) };
    for (const o of [stray, handPlaced]) await svc.s3.send(new PutObjectCommand({ Bucket: o.storageBucket, Key: o.storageKey, Body: 'nobody owns me' }));

    const logs = capturedLogger('info');
    const counts = await reportOnlySweep(logs.logger, 0);

    for (const leftover of leftovers) assert.equal(await objectExists(svc, leftover), false, `${leftover.storageKey} was kept`);
    assert.equal(counts.byKind.deleted, leftovers.length);
    assert.equal(await objectExists(svc, uploadLocation(svc, pending)), true, "a PENDING asset's upload was deleted");
    assert.equal(await objectExists(svc, stray), true, 'report-only mode deleted an object outside the staging prefix');
    assert.equal(await objectExists(svc, handPlaced), true, 'report-only mode deleted an object in the public bucket');
    const report = sweepReport(logs);
    assert.ok(report?.keys.includes(`${handPlaced.storageBucket}/${handPlaced.storageKey}`), 'a staging-like key in the public bucket is an orphan, whatever asset it names');
    assert.equal(await objectExists(svc, ready), true);
  });
});
