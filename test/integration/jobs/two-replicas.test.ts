import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { STAGING_PREFIX, stagingKey } from '../../../src/domain/storage-key.js';
import { capturedLogger } from '../../support/captured-logs.js';
import { eventually } from '../../support/eventually.js';
import { fixture } from '../../support/fixtures.js';
import { createUpload, uploadedAsset } from '../../support/flows.js';
import { GET } from '../../support/operations.js';
import { startTestService, type TestService } from '../../support/test-service.js';
import { assetRow, confirmReady, deletedDaysAgo, fixtureInput, nothingStored, objectExists, rowExists, uploadLocation } from '../../support/uploads.js';

const EXPIRE = 'expire-stale-uploads';

/** Both replicas run every job every second; an upload is stale only once the test has aged its row. */
const JOBS_ENV = {
  LOG_LEVEL: 'info',
  // Time enough for every PUT and confirm on a busy machine: no job claims an upload the test still works on.
  STORAGE_UPLOAD_TTL_SECONDS: '60',
  JOB_EXPIRE_INTERVAL_SECONDS: '1',
  JOB_PURGE_INTERVAL_SECONDS: '1',
  JOB_ORPHAN_INTERVAL_SECONDS: '1',
  ORPHAN_GRACE_SECONDS: '0',
  ORPHAN_DELETE: 'true',
  // Small batches, so that a run claims several times.
  JOB_BATCH_SIZE: '2',
};

// Generous: the jobs run every second, but on two replicas sharing a busy machine.
const SETTLING = { timeoutMs: 20_000 };

describe('background jobs on two replicas sharing one database and its buckets', () => {
  const logsA = capturedLogger('info');
  const logsB = capturedLogger('info');
  let a: TestService;
  let b: TestService;
  let token: string;
  before(async () => {
    a = await startTestService(JOBS_ENV, { logger: logsA.logger });
    b = await startTestService(JOBS_ENV, { logger: logsB.logger, shareWith: a });
    token = await a.token('alice');
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  const auditLines = (event: string) => [...logsA.lines(), ...logsB.lines()].filter((l) => l.audit && l.event === event);
  const processedBy = (job: string) => a.running.jobs.stats.of(job).processed + b.running.jobs.stats.of(job).processed;

  test('stale uploads are settled exactly once: rescued when the object passes confirm checks, failed otherwise', async () => {
    // Namespaces without an uploadTtlSeconds of their own, so that STORAGE_UPLOAD_TTL_SECONDS applies.
    const png = () => fixtureInput('image.png', 'user-profiles', 'image/png');
    const crashed = await Promise.all([1, 2, 3, 4].map(() => uploadedAsset(a, token, png(), fixture('image.png'))));
    const crashedPublic = await uploadedAsset(b, token, fixtureInput('image.jpg', 'group-assets', 'image/jpeg'), fixture('image.jpg'));
    const abandoned = await Promise.all([1, 2].map(() => createUpload(b, token, png())));
    const wrongType = await uploadedAsset(a, token, fixtureInput('notes.txt', 'user-profiles', 'image/png'), fixture('notes.txt'));
    const confirmedInTime = await uploadedAsset(a, token, png(), fixture('image.png'));
    await confirmReady(a, token, confirmedInTime.id);
    const rescued = [...crashed, crashedPublic];
    const stale = [...rescued, ...abandoned, wrongType];
    // Every upload window closed an hour ago, past the default grace: confirmedInTime's too, confirmed before that.
    await a.db.query(`UPDATE assets SET upload_expires_at = now() - interval '1 hour' WHERE id = ANY($1)`, [[...stale, confirmedInTime].map((s) => s.id)]);

    await eventually(async () => processedBy(EXPIRE) >= stale.length, 'both replicas to settle every stale upload', SETTLING);
    await sleep(1500); // a few more runs on both replicas, which must find nothing left to do

    assert.equal(processedBy(EXPIRE), stale.length, 'an upload was processed more than once');
    for (const replica of [a, b]) assert.ok(replica.running.jobs.stats.of(EXPIRE).runs > 0, 'both replicas must have run the job');
    for (const asset of rescued) assert.deepEqual(await assetRow(a, asset.id).then((r) => [r.status, r.version]), ['READY', 1]);
    for (const asset of rescued) assert.equal(await objectExists(a, asset), true, 'a rescued upload lost its object');
    for (const asset of abandoned) assert.deepEqual(await assetRow(a, asset.id).then((r) => [r.status, r.failure_reason, r.version]), ['FAILED', 'UPLOAD_EXPIRED', 1]);
    assert.deepEqual(await assetRow(a, wrongType.id).then((r) => [r.status, r.failure_reason, r.version]), ['FAILED', 'CONTENT_MISMATCH', 1]);
    assert.equal(await nothingStored(a, wrongType), true, 'the upload that failed the checks is still in storage');
    assert.equal((await assetRow(a, confirmedInTime.id)).version, 1, 'an upload confirmed in time was touched by the job');

    const settledIds = [...auditLines('asset.rescued'), ...auditLines('asset.expired')].map((l) => l.assetId).sort();
    assert.deepEqual(settledIds, stale.map((s) => s.id).sort(), 'audit lines must name each settled asset exactly once');
    const line = auditLines('asset.expired').find((l) => l.assetId === wrongType.id);
    assert.deepEqual([line?.ownerId, line?.namespace, line?.actor, line?.reason], ['alice', 'user-profiles', EXPIRE, 'CONTENT_MISMATCH']);
    const publicView = (await b.gql(GET, { id: crashedPublic.id }, await b.token('bob'))).data!.asset;
    assert.equal(publicView.status, 'READY');
    assert.equal((await fetch(publicView.publicUrl)).status, 200, 'a rescued PUBLIC asset is served at its publicUrl');
  });

  test('each run is logged with its counts', () => {
    const runs = [...logsA.lines(), ...logsB.lines()].filter((l) => l.msg === 'job run finished' && l.job === EXPIRE);
    const total = (kind: string) => runs.reduce((sum, l) => sum + (l[kind] ?? 0), 0);
    assert.deepEqual([total('rescued'), total('expired'), total('processed')], [5, 3, 8]);
    assert.ok(runs.every((l) => typeof l.durationMs === 'number'));
  });

  test('the purge removes DELETED rows older than the retention and keeps newer ones', async () => {
    const old = await deletedDaysAgo(a, token, 31);
    const recent = await deletedDaysAgo(a, token, 29);

    // The audit line comes when the DELETE has returned, a moment after the row is gone: wait for both.
    const reported = () => auditLines('asset.purged').some((l) => l.assetId === old);
    await eventually(async () => reported() && !(await rowExists(a, old)), 'the old DELETED row to be purged and reported', SETTLING);
    assert.equal(await rowExists(a, recent), true, 'a row within the retention period was purged');
    assert.deepEqual(auditLines('asset.purged').map((l) => [l.assetId, l.ownerId, l.namespace]), [[old, 'alice', 'attachments']]);
  });

  test('the orphan sweep deletes objects no asset accounts for, and never objects of live assets', async () => {
    const orphans = [
      { bucket: a.privateBucket, key: 'attachments/nobody/stray.txt' },
      { bucket: a.publicBucket, key: 'copied-by-hand.png' },
      { bucket: a.privateBucket, key: stagingKey(randomUUID()) },
      { bucket: a.privateBucket, key: `${STAGING_PREFIX}not-an-asset-id` },
    ];
    for (const o of orphans) await a.s3.send(new PutObjectCommand({ Bucket: o.bucket, Key: o.key, Body: 'nobody owns me' }));
    const ready = await uploadedAsset(a, token, fixtureInput('notes.txt', 'attachments', 'text/plain'), fixture('notes.txt'));
    await confirmReady(a, token, ready.id);
    const pending = await uploadedAsset(a, token, fixtureInput('notes.txt', 'attachments', 'text/plain'), fixture('notes.txt'));

    const exists = (o: { bucket: string; key: string }) => objectExists(a, { storageBucket: o.bucket, storageKey: o.key });
    const deleted = () => auditLines('orphan.deleted').map((l) => `${l.bucket}/${l.key}`);
    // The audit line comes when DeleteObjects has answered, a moment after the objects are gone: wait for both.
    const reported = (o: { bucket: string; key: string }) => deleted().includes(`${o.bucket}/${o.key}`);
    const allGone = async () => (await Promise.all(orphans.map(exists))).every((found) => !found);
    await eventually(async () => orphans.every(reported) && (await allGone()), 'the orphans to be deleted and reported', SETTLING);
    assert.equal(await objectExists(a, ready), true, 'the object of a READY asset was deleted');
    assert.equal(await objectExists(a, uploadLocation(a, pending)), true, 'the upload of a PENDING asset was deleted');
    for (const o of orphans) assert.equal(deleted().filter((d) => d === `${o.bucket}/${o.key}`).length, 1, `${o.key} not reported deleted exactly once`);
  });
});
