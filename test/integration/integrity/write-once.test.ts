import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fixture, MIME_TYPES } from '../../support/fixtures.js';
import { createUpload, uploadedAsset } from '../../support/flows.js';
import { GET, uploadTo } from '../../support/operations.js';
import { startServiceFor, type TestService } from '../../support/test-service.js';
import { assertError, assetRow, confirm, confirmReady, fixtureInput, objectBytes, objectExists } from '../../support/uploads.js';

const PNG = fixture('image.png');
const OTHER_PNG_BYTES = Buffer.from(PNG).fill(0x42, 40, 50);
const pngInput = (namespace = 'user-profiles') => fixtureInput('image.png', namespace, MIME_TYPES.png);

describe('uploads are exactly the declared bytes, written once (PostgreSQL + Ceph)', () => {
  let svc: TestService;
  let alice: string;
  before(async () => ({ svc, token: alice } = await startServiceFor('alice')));
  after(() => svc.stop());

  test('a body shorter than the declared size is refused by storage (403), and confirm then reports OBJECT_MISSING', async () => {
    const asset = await createUpload(svc, alice, pngInput());
    const put = await uploadTo(asset, PNG.subarray(0, PNG.length - 10));
    assert.equal(put.status, 403, 'the signed Content-Length must make storage refuse a short body');
    assert.equal(await objectExists(svc, asset), false);
    assertError(await confirm(svc, alice, asset.id), 'STATE_ERROR', 'OBJECT_MISSING');
    assert.equal((await assetRow(svc, asset.id)).failure_reason, 'OBJECT_MISSING');
  });

  test('a PUT that leaves out the signed If-None-Match header is refused (403): write-once cannot be dropped', async () => {
    const asset = await createUpload(svc, alice, pngInput());
    const withoutIfNoneMatch = { ...asset, uploadHeaders: asset.uploadHeaders.filter((h) => h.name.toLowerCase() !== 'if-none-match') };
    assert.equal(withoutIfNoneMatch.uploadHeaders.length, asset.uploadHeaders.length - 1);
    assert.equal((await uploadTo(withoutIfNoneMatch, PNG)).status, 403);
    assert.equal(await objectExists(svc, asset), false);
  });

  test('after READY, the leftover uploadUrl and headers cannot overwrite the object: storage answers 412 and the bytes are unchanged', async () => {
    const asset = await uploadedAsset(svc, alice, pngInput(), PNG);
    await confirmReady(svc, alice, asset.id);
    const overwrite = await uploadTo(asset, OTHER_PNG_BYTES);
    assert.equal(overwrite.status, 412, await overwrite.text());
    assert.deepEqual(await objectBytes(svc, asset), PNG);
  });

  test('a second PUT while still PENDING is refused the same way (412): the first bytes are the ones confirmed', async () => {
    const asset = await uploadedAsset(svc, alice, pngInput(), PNG);
    assert.equal((await uploadTo(asset, OTHER_PNG_BYTES)).status, 412);
    assert.deepEqual(await objectBytes(svc, asset), PNG);
  });

  test('uploadUrl and uploadHeaders are null once the asset is READY, in the confirm response and afterwards', async () => {
    const asset = await uploadedAsset(svc, alice, pngInput(), PNG);
    const ready = await confirmReady(svc, alice, asset.id);
    assert.equal(ready.uploadUrl, null);
    assert.equal(ready.uploadHeaders, null);
    const fetched = (await svc.gql(GET, { id: asset.id }, alice)).data!.asset;
    assert.deepEqual([fetched.uploadUrl, fetched.uploadHeaders], [null, null]);
  });

  test('uploadUrl and uploadHeaders are null once the asset is FAILED', async () => {
    const asset = await uploadedAsset(svc, alice, fixtureInput('notes.txt', 'user-profiles', MIME_TYPES.png), fixture('notes.txt'));
    assertError(await confirm(svc, alice, asset.id), 'INTEGRITY_ERROR', 'CONTENT_MISMATCH');
    const fetched = (await svc.gql(GET, { id: asset.id }, alice)).data!.asset;
    assert.deepEqual([fetched.status, fetched.uploadUrl, fetched.uploadHeaders], ['FAILED', null, null]);
  });

  test('someone other than the owner never sees uploadUrl or uploadHeaders of a PENDING public asset', async () => {
    const asset = await createUpload(svc, alice, pngInput('group-assets'));
    assert.ok(asset.uploadHeaders.length > 0, 'the owner sees the headers');
    const seenByBob = (await svc.gql(GET, { id: asset.id }, await svc.token('bob'))).data!.asset;
    assert.equal(seenByBob.id, asset.id, 'a PUBLIC asset is visible to others');
    assert.deepEqual([seenByBob.uploadUrl, seenByBob.uploadHeaders], [null, null]);
  });

  test('public objects are stored with an immutable Cache-Control that is signed into the PUT', async () => {
    const asset = await createUpload(svc, alice, pngInput('group-assets'));
    const cacheControl = asset.uploadHeaders.find((h) => h.name.toLowerCase() === 'cache-control');
    assert.match(cacheControl?.value ?? '', /immutable/);
    const shortLived = { ...asset, uploadHeaders: asset.uploadHeaders.map((h) => (h === cacheControl ? { ...h, value: 'no-store' } : h)) };
    assert.equal((await uploadTo(shortLived, PNG)).status, 403);
  });
});
