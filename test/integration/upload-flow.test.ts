import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fixture } from '../support/fixtures.js';
import { uploadedAsset } from '../support/flows.js';
import { CONFIRM, DELETE, GET, GET_DOWNLOAD, uploadInput } from '../support/operations.js';
import { startServiceFor, type TestService } from '../support/test-service.js';

const PNG_BYTES = fixture('image.png');

describe('the upload lifecycle against real PostgreSQL and S3', () => {
  let svc: TestService;
  let token: string;
  before(async () => ({ svc, token } = await startServiceFor('alice')));
  after(() => svc.stop());

  const createAndUpload = (input: Record<string, unknown>, body: Buffer) => uploadedAsset(svc, token, input, body);

  test('a PUBLIC asset becomes READY and its publicUrl serves the bytes to anyone', async () => {
    const asset = await createAndUpload(uploadInput({ namespace: 'group-assets', filename: 'logo.png', mimeType: 'image/png', sizeBytes: PNG_BYTES.length }), PNG_BYTES);
    assert.equal(asset.status, 'PENDING');
    assert.equal(asset.visibility, 'PUBLIC');
    assert.equal(asset.storageBucket, svc.publicBucket);
    const confirmed = await svc.gql(CONFIRM, { id: asset.id }, token);
    assert.equal(confirmed.data!.confirmAssetUpload.status, 'READY');
    assert.equal(confirmed.data!.confirmAssetUpload.uploadUrl, null);
    const fetched = await svc.gql(GET, { id: asset.id }, await svc.token('bob'));
    const publicUrl = fetched.data!.asset.publicUrl as string;
    const res = await fetch(publicUrl);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG_BYTES);
  });

  test('a PRIVATE asset is served only through its presigned downloadUrl', async () => {
    const body = Buffer.from('hello world');
    const asset = await createAndUpload(uploadInput(), body);
    assert.equal(asset.storageBucket, svc.privateBucket);
    await svc.gql(CONFIRM, { id: asset.id }, token);
    const fetched = await svc.gql(GET_DOWNLOAD, { id: asset.id, ttl: 60 }, token);
    const res = await fetch(fetched.data!.asset.downloadUrl);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello world');
    const anonymous = await fetch(`http://${svc.env.STORAGE_HOSTNAME}:${svc.env.STORAGE_PORT}/${svc.privateBucket}/${asset.storageKey}`);
    assert.equal(anonymous.status, 403);
  });

  test('deleteAsset removes the object and the asset', async () => {
    const asset = await createAndUpload(uploadInput(), Buffer.from('hello world'));
    await svc.gql(CONFIRM, { id: asset.id }, token);
    const deleted = await svc.gql(DELETE, { id: asset.id }, token);
    assert.equal(deleted.data!.deleteAsset, true);
    assert.equal((await svc.gql(GET, { id: asset.id }, token)).data!.asset, null);
    const row = await svc.db.query('SELECT status, deleted_by FROM assets WHERE id = $1', [asset.id]);
    assert.deepEqual(row.rows[0], { status: 'DELETED', deleted_by: 'alice' });
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    await assert.rejects(svc.s3.send(new HeadObjectCommand({ Bucket: svc.privateBucket, Key: asset.storageKey })), { name: 'NotFound' });
  });
});
