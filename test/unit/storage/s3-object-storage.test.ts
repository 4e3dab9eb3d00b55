// Confirm reading an upload and copying it, against a stub S3 client answering as stores do: what decides that
// the copy holds the checked bytes, and what happens to a copy that does not. (The real Ceph race:
// test/integration/integrity/checked-copy.test.ts.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AssetError } from '../../../src/domain/errors.js';
import { Presigner } from '../../../src/storage/presigner.js';
import { S3ObjectStorage } from '../../../src/storage/s3-object-storage.js';
import { minioStorageConfig, recordingS3Client } from '../fakes.js';

const CHECKED = '"0123456789abcdef0123456789abcdef"';
const OTHER = '"fedcba9876543210fedcba9876543210"';

/** A client answering CopyObject with `copied` and DeleteObject with `deleted`, recording what it was sent ("CopyObject <key>", ...). */
function storageAnswering(copied: Record<string, unknown>, deleted: () => Promise<unknown> = async () => ({})) {
  const { client, sent } = recordingS3Client((name) => (name === 'CopyObject' ? copied : deleted()));
  const config = minioStorageConfig();
  return { storage: new S3ObjectStorage(client, new Presigner(config), config), sent: () => sent.map(({ name, input }) => `${name} ${input.Key}`) };
}

const copy = (storage: S3ObjectStorage) => storage.copyObject({ bucket: 'private', key: '~uploads/a1', etag: CHECKED }, { bucket: 'public', key: 'ns/u1/a1', contentType: 'image/png' });

describe('the copy of a checked upload', () => {
  test('whose ETag is the checked one stands', async () => {
    const { storage, sent } = storageAnswering({ CopyObjectResult: { ETag: CHECKED } });
    assert.equal(await copy(storage), true);
    assert.deepEqual(sent(), ['CopyObject ns/u1/a1']);
  });

  test('whose ETag shows other bytes (a store that ignored the copy condition) is deleted from the asset key and refused', async () => {
    const { storage, sent } = storageAnswering({ CopyObjectResult: { ETag: OTHER } });
    assert.equal(await copy(storage), false);
    assert.deepEqual(sent(), ['CopyObject ns/u1/a1', 'DeleteObject ns/u1/a1']);
  });

  test('under SSE-KMS, where ETags are no MD5s, stands on the copy condition alone', async () => {
    const { storage, sent } = storageAnswering({ CopyObjectResult: { ETag: OTHER }, ServerSideEncryption: 'aws:kms' });
    assert.equal(await copy(storage), true);
    assert.deepEqual(sent(), ['CopyObject ns/u1/a1']);
  });

  test('of other bytes that cannot be deleted fails with STORAGE_UNAVAILABLE, so that the confirm is retried', async () => {
    const { storage } = storageAnswering({ CopyObjectResult: { ETag: OTHER } }, () => Promise.reject(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })));
    await assert.rejects(copy(storage), (error: unknown) => error instanceof AssetError && error.code === 'STORAGE_UNAVAILABLE' && /could not delete the object/.test(error.message));
  });
});

describe('reading an upload to check it', () => {
  const notFound = (name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 404 } });
  const sample = (answer: unknown) => {
    const { client } = recordingS3Client(() => answer);
    const config = minioStorageConfig();
    const request = { headBytes: 64, wholeBody: false, sha256: false, expected: { sizeBytes: 5, contentType: 'image/png' } };
    return new S3ObjectStorage(client, new Presigner(config), config).sampleObject('private', '~uploads/a1', request);
  };

  test('finds nothing when the upload is not there (NoSuchKey): the asset fails with OBJECT_MISSING', async () => {
    assert.equal(await sample(notFound('NoSuchKey')), null);
  });

  test('fails with STORAGE_UNAVAILABLE when the bucket itself is gone, so that the asset is not failed for the store\'s fault', async () => {
    await assert.rejects(sample(notFound('NoSuchBucket')), (e: unknown) => e instanceof AssetError && e.code === 'STORAGE_UNAVAILABLE' && /NoSuchBucket/.test(e.message));
  });
});
