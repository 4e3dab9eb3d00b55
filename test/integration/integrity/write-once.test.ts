import { HeadObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fixture, MIME_TYPES, otherPng } from '../../support/fixtures.js';
import { s3Endpoint } from '../../support/infra.js';
import { createUpload, uploadedAsset } from '../../support/flows.js';
import { GET, putBytes, uploadTo } from '../../support/operations.js';
import { startServiceFor, type TestService } from '../../support/test-service.js';
import { assertError, assetRow, confirm, confirmReady, fixtureInput, objectBytes, objectExists, uploadLocation } from '../../support/uploads.js';

const PNG = fixture('image.png');
const OTHER_PNG_BYTES = otherPng();
const pngInput = (namespace = 'user-profiles') => fixtureInput('image.png', namespace, MIME_TYPES.png);

describe('uploads are exactly the declared bytes, and an asset key is written once, by confirm (PostgreSQL + Ceph)', () => {
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

  test('a PUT with only the declared Content-Type, as SPEC §3 has it, is accepted and confirms READY', async () => {
    const asset = await createUpload(svc, alice, pngInput('group-assets'));
    assert.deepEqual(asset.uploadHeaders.map((h) => h.name), ['Content-Type'], 'nothing but the type is asked of a PUT without a declared checksum');
    const put = await putBytes(asset.uploadUrl, PNG, MIME_TYPES.png);
    assert.equal(put.status, 200, await put.text());
    await confirmReady(svc, alice, asset.id);
    assert.deepEqual(await objectBytes(svc, asset), PNG);
  });

  test('an unconfirmed PUBLIC upload is in the private bucket only: nothing is readable at its public URL before confirm', async () => {
    const asset = await uploadedAsset(svc, alice, pngInput('group-assets'), PNG);
    assert.equal(await objectExists(svc, asset), false, 'nothing is at the asset key before confirm');
    assert.deepEqual(await objectBytes(svc, uploadLocation(svc, asset)), PNG);
    assert.equal(uploadLocation(svc, asset).storageBucket, svc.privateBucket);
    const anonymous = await fetch(`${s3Endpoint()}/${asset.storageBucket}/${asset.storageKey}`);
    assert.ok([403, 404].includes(anonymous.status), `the public bucket has nothing to serve yet, got ${anonymous.status}`);
  });

  test('after READY, a PUT to the leftover uploadUrl never reaches the asset: its bytes are unchanged', async () => {
    const asset = await uploadedAsset(svc, alice, pngInput(), PNG);
    await confirmReady(svc, alice, asset.id);
    assert.equal((await uploadTo(asset, OTHER_PNG_BYTES)).status, 200, 'storage takes it, at the staging key');
    await confirmReady(svc, alice, asset.id);
    assert.deepEqual(await objectBytes(svc, asset), PNG);
  });

  test('a second PUT while still PENDING replaces the first: the bytes confirmed are the last ones uploaded', async () => {
    const asset = await uploadedAsset(svc, alice, pngInput(), PNG);
    assert.equal((await uploadTo(asset, OTHER_PNG_BYTES)).status, 200);
    await confirmReady(svc, alice, asset.id);
    assert.deepEqual(await objectBytes(svc, asset), OTHER_PNG_BYTES);
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

  test('a confirmed PUBLIC object is served with an immutable Cache-Control and its type, whatever the PUT sent', async () => {
    const asset = await createUpload(svc, alice, pngInput('group-assets'));
    assert.equal((await putBytes(asset.uploadUrl, PNG, MIME_TYPES.png, { 'Cache-Control': 'no-store' })).status, 200);
    const ready = await confirmReady(svc, alice, asset.id);
    const served = await fetch(ready.publicUrl!);
    assert.equal(served.status, 200);
    assert.deepEqual([served.headers.get('cache-control'), served.headers.get('content-type')], ['public, max-age=31536000, immutable', MIME_TYPES.png]);
  });

  test('a confirmed PRIVATE object is stored without Cache-Control', async () => {
    const asset = await uploadedAsset(svc, alice, pngInput(), PNG);
    await confirmReady(svc, alice, asset.id);
    const head = await svc.s3.send(new HeadObjectCommand({ Bucket: asset.storageBucket, Key: asset.storageKey }));
    assert.deepEqual([head.CacheControl, head.ContentType], [undefined, MIME_TYPES.png]);
  });
});
