// A presigned PUT URL cannot be revoked: an asset that became FAILED or DELETED while its URL still
// worked can get an object afterwards, never checked, and (in a public bucket) readable by anyone.
// Such rows are marked with the instant the URL dies, and the expiry job deletes their key once that (plus
// grace) has passed. Real service, PostgreSQL and Ceph; the tests move the mark into the past rather than
// wait for URLs to die.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../support/eventually.js';
import { fixture } from '../../support/fixtures.js';
import { createUpload, readyAsset, uploadedAsset, type AssetJson } from '../../support/flows.js';
import { DELETE, uploadTo } from '../../support/operations.js';
import { startTestService, type TestService } from '../../support/test-service.js';
import { assertError, assetRow, confirm, confirmReady, fixtureInput, objectExists, rowExists } from '../../support/uploads.js';

const ENV = {
  // Namespaces without an uploadTtlSeconds of their own take this: time enough for the late PUTs below.
  STORAGE_UPLOAD_TTL_SECONDS: '60',
  JOB_EXPIRE_GRACE_SECONDS: '1',
  JOB_EXPIRE_INTERVAL_SECONDS: '1',
  // DELETED rows are purged at once, unless they still mark a key for cleanup.
  ASSET_PURGE_DELETED_DAYS: '0',
  JOB_PURGE_INTERVAL_SECONDS: '1',
};

// The grace and an interval of the job, on a busy machine.
const CLEARED = { timeoutMs: 20_000, intervalMs: 250 };

describe('uploads that arrive after their asset left PENDING', () => {
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

  /** PUTs the fixture with the asset's still valid URL: storage takes it, since the key is free. */
  async function latePut(asset: AssetJson): Promise<void> {
    const put = await uploadTo(asset, fixture('image.png'));
    assert.equal(put.status, 200, `storage refused the late PUT (was the URL already dead?): ${await put.text()}`);
    assert.equal(await objectExists(svc, asset), true);
  }

  test('an object PUT after a confirm failed the asset is deleted once the URL has died, and the asset stays FAILED', async () => {
    const live = await readyAsset(svc, token, png(), fixture('image.png'));
    const early = await createUpload(svc, token, png());
    assertError(await confirm(svc, token, early.id), 'STATE_ERROR', 'OBJECT_MISSING');
    await latePut(early);
    await urlDies(early.id);

    await eventually(async () => !(await objectExists(svc, early)), 'the late upload to be deleted', CLEARED);
    assert.equal((await assetRow(svc, early.id)).status, 'FAILED');
    assert.equal(await cleanupMark(early.id), null, 'the key is cleared once, not at every run');
    assert.equal(await objectExists(svc, live), true, 'the object of a READY asset is never touched');
    assert.equal(await cleanupMark(live.id), null);
  });

  test('an object PUT again after its READY asset was deleted is deleted once the URL has died, before the row is purged', async () => {
    const created = await uploadedAsset(svc, token, png(), fixture('image.png'));
    await confirmReady(svc, token, created.id);
    const { data } = await svc.gql(DELETE, { id: created.id }, token);
    assert.equal(data!.deleteAsset, true);
    assert.equal(await objectExists(svc, created), false);
    await latePut(created);
    await urlDies(created.id);

    await eventually(async () => !(await objectExists(svc, created)), 'the late upload to be deleted', CLEARED);
    await eventually(async () => !(await rowExists(svc, created.id)), 'the DELETED row to be purged once its key was cleared', CLEARED);
  });
});
