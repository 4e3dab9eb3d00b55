// Confirm copies the upload it checked to the asset's key. The copy must carry exactly the checked bytes,
// also on a store that ignores x-amz-copy-source-if-match (the test Ceph 16 does): a PUT racing in
// between check and copy must never reach the asset's key. Storage-level, against the real Ceph.
import assert from 'node:assert/strict';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { after, before, describe, test } from 'node:test';
import { loadStorageSettings, required } from '../../../src/operations/settings.js';
import { Presigner } from '../../../src/storage/presigner.js';
import { createS3Client } from '../../../src/storage/s3-client.js';
import { S3ObjectStorage } from '../../../src/storage/s3-object-storage.js';
import { adminS3, createBuckets, deleteBuckets, uniqueName } from '../../support/infra.js';
import { serviceEnv } from '../../support/test-service.js';

describe('the copy of a checked upload to its key (Ceph)', () => {
  const s3 = adminS3();
  // The settings name a second bucket; nothing here touches it, so it is never made.
  const [bucket, otherBucket] = [uniqueName('copy-src'), uniqueName('copy-unused')];
  const storageConfig = required(loadStorageSettings(serviceEnv('postgres://unused', 'http://unused', bucket, otherBucket))).storage;
  const client = createS3Client(storageConfig);
  const storage = new S3ObjectStorage(client, new Presigner(storageConfig), storageConfig);
  const put = async (key: string, body: string) => (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/plain' }))).ETag!;
  const body = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  const exists = (key: string) => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

  before(() => createBuckets(s3, bucket));
  after(async () => {
    await deleteBuckets(s3, bucket);
    client.destroy();
    s3.destroy();
  });

  test('copies the bytes that were checked', async () => {
    const source = uniqueName('upload');
    const checked = await put(source, 'the checked bytes');
    const target = uniqueName('asset');
    assert.equal(await storage.copyObject({ bucket, key: source, etag: checked }, { bucket, key: target, contentType: 'text/plain' }), true);
    assert.equal(await body(target), 'the checked bytes');
  });

  test('refuses an upload replaced after its check, and leaves nothing at the asset key, even where the store ignores the copy condition', async () => {
    const source = uniqueName('upload');
    const checked = await put(source, 'the checked bytes');
    await put(source, 'unchecked, same size'); // the uploader's second PUT, racing the confirm
    const target = uniqueName('asset');
    assert.equal(await storage.copyObject({ bucket, key: source, etag: checked }, { bucket, key: target, contentType: 'text/plain' }), false);
    assert.equal(await exists(target), false, 'the unchecked bytes reached the asset key');
  });
});
