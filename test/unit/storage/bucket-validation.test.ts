import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StorageConfig } from '../../../src/config/storage-config.js';
import { BucketValidationError, explain, validateBuckets } from '../../../src/storage/bucket-validation.js';
import { minioStorageConfig, r2StorageConfig, recordingS3Client } from '../fakes.js';

const SECRET = 'distinctive-secret-Q9x';
const config = r2StorageConfig({ secret: SECRET });
const BUCKET = 'neotool-assets-private';

/** An SDK-shaped service error. */
function sdkError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9000`), { code });
}

const CASES: [string, unknown, string, RegExp][] = [
  ['NotFound (HEAD 404)', sdkError('NotFound', 404, 'UnknownError'), 'NoSuchBucket', /Bucket "neotool-assets-private" \(STORAGE_PRIVATE_BUCKET\) does not exist.*storage init.*STORAGE_PRIVATE_BUCKET/],
  ['NoSuchBucket', sdkError('NoSuchBucket', 404), 'NoSuchBucket', /does not exist/],
  ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403), 'InvalidAccessKeyId', /Fix STORAGE_ACCESS_KEY/],
  ['SignatureDoesNotMatch', sdkError('SignatureDoesNotMatch', 403), 'SignatureDoesNotMatch', /STORAGE_SECRET does not belong to STORAGE_ACCESS_KEY.*Fix STORAGE_SECRET/],
  ['AccessDenied', sdkError('AccessDenied', 403), 'AccessDenied', /Access to bucket "neotool-assets-private" \(STORAGE_PRIVATE_BUCKET\) was denied/],
  ['a bare 403 without an error code', sdkError('UnknownError', 403), 'AccessDenied', /was denied/],
  ['ECONNREFUSED', networkError('ECONNREFUSED'), 'ConnectionFailed', /Cannot reach storage at https:\/\/account123\.r2\.cloudflarestorage\.com .*ECONNREFUSED.*STORAGE_HOSTNAME, STORAGE_PORT and STORAGE_USE_HTTPS/],
  ['ENOTFOUND', networkError('ENOTFOUND'), 'ConnectionFailed', /Cannot reach storage/],
  ['a connection timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'ConnectionFailed', /Cannot reach storage/],
  ['a refused connection wrapped as the cause', Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), 'ConnectionFailed', /Cannot reach storage/],
];

describe('explain', () => {
  for (const [what, error, reason, message] of CASES) {
    test(`explains ${what} as ${reason} with the fix`, () => {
      const explained = explain(error, config, BUCKET, 'STORAGE_PRIVATE_BUCKET');
      assert.ok(explained instanceof BucketValidationError);
      assert.equal(explained.reason, reason);
      assert.match(explained.message, message);
      assert.ok(!explained.message.includes(SECRET));
    });
  }

  // What Node reports when HTTPS meets a port that answers plain HTTP (seen against the test Ceph).
  const tlsMismatch = () => Object.assign(new Error('write EPROTO 80FCE383BD7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n'), { code: 'EPROTO' });

  test('explains HTTPS against a port that speaks plain HTTP as a failed TLS handshake, naming STORAGE_USE_HTTPS and STORAGE_PORT', () => {
    const explained = explain(tlsMismatch(), minioStorageConfig({ useHttps: true }), 'b1', 'STORAGE_PUBLIC_BUCKET');
    assert.equal(explained.reason, 'TlsHandshakeFailed');
    assert.equal(
      explained.message,
      'The TLS handshake with storage at https://localhost:9000 failed (write EPROTO 80FCE383BD7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:): ' +
        'the endpoint does not speak HTTPS on port 9000. Set STORAGE_USE_HTTPS=false, or set STORAGE_PORT to the port where it speaks HTTPS.',
    );
  });

  test('explains a failed TLS handshake wrapped as the cause the same way', () => {
    const wrapped = Object.assign(new Error('fetch failed'), { cause: tlsMismatch() });
    assert.equal(explain(wrapped, minioStorageConfig({ useHttps: true }), 'b1', 'STORAGE_PUBLIC_BUCKET').reason, 'TlsHandshakeFailed');
  });

  test('adds the path-style fix to a DNS failure only when path style is off and the host is not Cloudflare R2 (which needs virtual-hosted style)', () => {
    for (const code of ['ENOTFOUND', 'EAI_AGAIN']) {
      const explained = explain(networkError(code), minioStorageConfig({ forcePathStyle: false }), 'b1', 'STORAGE_PUBLIC_BUCKET');
      assert.equal(explained.reason, 'ConnectionFailed');
      assert.match(explained.message, /Check STORAGE_HOSTNAME, STORAGE_PORT and STORAGE_USE_HTTPS, and that the endpoint is reachable from here\. /);
      assert.match(explained.message, /STORAGE_FORCE_PATH_STYLE=false \(virtual-hosted style\) asks for the host b1\.localhost; MinIO and Ceph need STORAGE_FORCE_PATH_STYLE=true\.$/);
    }
    const unrelated: [unknown, StorageConfig][] = [
      [networkError('ENOTFOUND'), minioStorageConfig({ forcePathStyle: true })],
      [networkError('ECONNREFUSED'), minioStorageConfig({ forcePathStyle: false })],
      [networkError('ENOTFOUND'), config],
    ];
    for (const [error, storage] of unrelated) {
      assert.doesNotMatch(explain(error, storage, 'b1', 'STORAGE_PUBLIC_BUCKET').message, /PATH_STYLE/);
    }
  });

  test('names prefixed settings (storage sync\'s SRC_STORAGE_*) when given a prefix, in every fix', () => {
    const prefixed = (error: unknown, storage: StorageConfig = minioStorageConfig()) => explain(error, storage, 'b1', 'source bucket', 'SRC_').message;
    assert.match(prefixed(sdkError('InvalidAccessKeyId', 403)), /the access key in SRC_STORAGE_ACCESS_KEY\. Fix SRC_STORAGE_ACCESS_KEY \(and SRC_STORAGE_SECRET\)/);
    assert.match(prefixed(sdkError('SignatureDoesNotMatch', 403)), /SRC_STORAGE_SECRET does not belong to SRC_STORAGE_ACCESS_KEY \(or SRC_STORAGE_REGION is wrong\)\. Fix SRC_STORAGE_SECRET\./);
    assert.match(prefixed(sdkError('AccessDenied', 403)), /Access to bucket "b1" \(source bucket\) was denied\. Give the credentials in SRC_STORAGE_ACCESS_KEY/);
    assert.match(prefixed(networkError('ENOTFOUND'), minioStorageConfig({ forcePathStyle: false })), /Check SRC_STORAGE_HOSTNAME, SRC_STORAGE_PORT and SRC_STORAGE_USE_HTTPS.*MinIO and Ceph need SRC_STORAGE_FORCE_PATH_STYLE=true\.$/);
    assert.match(prefixed(tlsMismatch(), minioStorageConfig({ useHttps: true })), /Set SRC_STORAGE_USE_HTTPS=false, or set SRC_STORAGE_PORT/);
    for (const error of [sdkError('InvalidAccessKeyId', 403), sdkError('SignatureDoesNotMatch', 403), networkError('ENOTFOUND'), tlsMismatch()]) {
      assert.doesNotMatch(prefixed(error, minioStorageConfig({ forcePathStyle: false, useHttps: true })), /(?<!SRC_)STORAGE_/, 'no unprefixed setting name');
    }
  });

  test('reports an unexpected error by name, with the bucket and endpoint', () => {
    const explained = explain(sdkError('SlowDown', 503, 'Please reduce your request rate.'), minioStorageConfig(), 'b1', 'STORAGE_PUBLIC_BUCKET');
    assert.equal(explained.reason, 'SlowDown');
    assert.match(explained.message, /Bucket "b1" \(STORAGE_PUBLIC_BUCKET\) at http:\/\/localhost:9000 could not be checked: SlowDown: Please reduce/);
  });
});

describe('validateBuckets', () => {
  /** A client answering through `answer`; `sent()` lists "<command> <bucket>". */
  function fakeClient(answer: (name: string, input: Record<string, unknown>) => unknown) {
    const { client, sent } = recordingS3Client(answer);
    return { client, sent: () => sent.map(({ name, input }) => `${name} ${input.Bucket}`) };
  }

  test('checks the public bucket, then the private one', async () => {
    const { client, sent } = fakeClient(() => ({}));
    await validateBuckets(client, config);
    assert.deepEqual(sent(), ['HeadBucket neotool-assets-public', 'HeadBucket neotool-assets-private']);
  });

  test('asks again with a listing to learn why a HEAD was refused', async () => {
    const { client, sent } = fakeClient((name) => (name === 'HeadBucket' ? sdkError('UnknownError', 403) : sdkError('SignatureDoesNotMatch', 403)));
    await assert.rejects(validateBuckets(client, config), (e: unknown) => e instanceof BucketValidationError && e.reason === 'SignatureDoesNotMatch');
    assert.deepEqual(sent(), ['HeadBucket neotool-assets-public', 'ListObjectsV2 neotool-assets-public']);
  });

  test('names the private bucket setting when only the private bucket is missing', async () => {
    const { client } = fakeClient((_name, input) => (input.Bucket === 'neotool-assets-private' ? sdkError('NotFound', 404) : {}));
    await assert.rejects(validateBuckets(client, config), (e: unknown) => e instanceof BucketValidationError && e.reason === 'NoSuchBucket' && /STORAGE_PRIVATE_BUCKET/.test(e.message));
  });
});
