// A presigned PUT URL cannot be revoked: an asset that left PENDING while its URL still worked can get
// an upload afterwards, at its staging key in the private bucket, never checked. Confirm leaves its own
// upload there too. Every settled row is marked with the instant its URL dies, and the expiry job deletes
// the staging key once that (plus grace) has passed. Real service, PostgreSQL and Ceph; the tests move the
// mark into the past rather than wait for URLs to die.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../support/eventually.js';
import { fixture, otherPng } from '../../support/fixtures.js';
import { createUpload, uploadedAsset, type AssetJson } from '../../support/flows.js';
import { DELETE, uploadTo } from '../../support/operations.js';
import { startTestService, type TestService } from '../../support/test-service.js';
import { assertError, assetRow, confirm, confirmReady, fixtureInput, nothingStored, objectBytes, objectExists, rowExists, uploadLocation } from '../../support/uploads.js';

const ENV = {
  // Namespaces without an uploadTtlSeconds of their own take this: time enough for the late PUTs below.
  STORAGE_UPLOAD_TTL_SECONDS: '60',
  JOB_EXPIRE_GRACE_SECONDS: '1',
  JOB_EXPIRE_INTERVAL_SECONDS: '1',
  // DELETED rows are purged at once, unless they still mark a key for cleanup.
  ASSET_PURGE_DELETED_DAYS: '0',
  JOB_PURGE_INTERVAL_SECONDS: '1',
};

const OTHER_PNG = otherPng();
// The grace and an interval of the job, on a busy machine.
const CLEARED = { timeoutMs: 20_000, intervalMs: 250 };

describe('uploads left at their staging key after their asset left PENDING', () => {
  let svc: TestService;
  let token: string;
  before(async () => {
    svc = await startTestService(ENV);
    token = await svc.token('late-uploader');
  });
  after(() => svc?.stop());

  const png = () => fixtureInput('image.png', 'group-assets', 'image/png');
  const cleanupMark = async (id: string) =>
    (await svc.db.query<{ due: Date | null }>('SELECT late_upload_cleanup_after AS due FROM assets WHERE id = $1', [id])).rows[0]!.due;

  /** Checks the mark is the instant the asset's URL dies, then lets that instant pass (as if 60 s had gone by). */
  async function urlDies(id: string): Promise<void> {
    const { rows } = await svc.db.query<{ due: Date | null; dies: Date }>('SELECT late_upload_cleanup_after AS due, upload_expires_at AS dies FROM assets WHERE id = $1', [id]);
    assert.equal(rows[0]!.due?.getTime(), rows[0]!.dies.getTime(), 'the key is marked for cleanup when its URL dies');
    await svc.db.query(`UPDATE assets SET late_upload_cleanup_after = now() - interval '2 seconds' WHERE id = $1`, [id]);
  }

  /** PUTs the fixture with the asset's still valid URL: storage takes it, at the staging key. */
  async function latePut(asset: AssetJson): Promise<void> {
    const put = await uploadTo(asset, OTHER_PNG);
    assert.equal(put.status, 200, `storage refused the late PUT (was the URL already dead?): ${await put.text()}`);
    assert.equal(await objectExists(svc, uploadLocation(svc, asset)), true);
  }
  const uploadGone = async (asset: AssetJson) => !(await objectExists(svc, uploadLocation(svc, asset)));
  // The job deletes the key first and clears the mark after: wait for both.
  const uploadCleared = async (asset: AssetJson) => (await uploadGone(asset)) && (await cleanupMark(asset.id)) === null;

  test('an upload PUT after a confirm failed the asset is deleted once the URL has died, and the asset stays FAILED', async () => {
    const early = await createUpload(svc, token, png());
    assertError(await confirm(svc, token, early.id), 'STATE_ERROR', 'OBJECT_MISSING');
    await latePut(early);
    assert.equal(await objectExists(svc, early), false, 'nothing reaches the asset key');
    await urlDies(early.id);

    await eventually(() => uploadCleared(early), 'the late upload to be deleted and its key marked cleared', CLEARED);
    assert.equal((await assetRow(svc, early.id)).status, 'FAILED');
    assert.equal(await cleanupMark(early.id), null, 'the key is cleared once, not at every run');
  });

  test('a READY asset keeps its object while its upload, and a PUT after confirm, are deleted once the URL has died', async () => {
    const live = await uploadedAsset(svc, token, png(), fixture('image.png'));
    await confirmReady(svc, token, live.id);
    await latePut(live);
    await urlDies(live.id);

    await eventually(() => uploadCleared(live), 'the staged upload to be deleted and its key marked cleared', CLEARED);
    assert.deepEqual(await objectBytes(svc, live), fixture('image.png'), 'the object of a READY asset is never touched');
    assert.equal((await assetRow(svc, live.id)).status, 'READY');
    assert.equal(await cleanupMark(live.id), null);
  });

  test('an object PUT again after its READY asset was deleted is deleted once the URL has died, before the row is purged', async () => {
    const created = await uploadedAsset(svc, token, png(), fixture('image.png'));
    await confirmReady(svc, token, created.id);
    const { data } = await svc.gql(DELETE, { id: created.id }, token);
    assert.equal(data!.deleteAsset, true);
    assert.equal(await nothingStored(svc, created), true, 'delete removes the object and its upload');
    await latePut(created);
    await urlDies(created.id);

    await eventually(() => uploadGone(created), 'the late upload to be deleted', CLEARED);
    await eventually(async () => !(await rowExists(svc, created.id)), 'the DELETED row to be purged once its key was cleared', CLEARED);
  });
});
