import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { StorageConfig } from '../../../src/config/storage-config.js';
import { Presigner } from '../../../src/storage/presigner.js';
import { createS3Client } from '../../../src/storage/s3-client.js';
import { minioStorageConfig, r2StorageConfig } from '../fakes.js';

const SIGNED_AT = new Date('2025-03-04T05:06:07.000Z');
const KEYS = [
  'user-profiles/user-1/0190c3a4-5b6c-7d8e-9f00-112233445566',
  'a key with spaces/file name.png',
  'ÿ€漢字/ünïcödé.pdf',
  "special/!*'()~+=&?#%@$,;:[]{}|^`\"<>.txt",
  'already%20escaped/%2F',
];

const STYLES: [string, StorageConfig][] = [
  ['path-style (MinIO)', minioStorageConfig()],
  ['path-style on plain HTTP port 80', minioStorageConfig({ hostname: 'minio.internal', port: 80 })],
  ['virtual-hosted style (R2)', r2StorageConfig()],
  ['virtual-hosted style on a non-default HTTPS port', r2StorageConfig({ hostname: 's3.example.com', port: 8443, region: 'eu-west-1' })],
];

function sdkPut(config: StorageConfig, key: string, signingDate: Date): Promise<string> {
  const command = new PutObjectCommand({ Bucket: config.privateBucket, Key: key, ContentType: 'image/png', ContentLength: 12345 });
  return getSignedUrl(createS3Client(config), command, { expiresIn: 900, signingDate, signableHeaders: new Set(['content-type', 'content-length']) });
}

function ourPut(presigner: Presigner, config: StorageConfig, key: string, signedAt: Date): string {
  return presigner.presign({
    method: 'PUT',
    bucket: config.privateBucket,
    key,
    headers: { 'Content-Type': 'image/png', 'content-length': '12345' },
    signedAt,
    expiresInSeconds: 900,
  });
}

describe('Presigner matches the AWS SDK getSignedUrl byte for byte', () => {
  for (const [style, config] of STYLES) {
    test(`PUT with signed Content-Type and Content-Length, ${style}`, async () => {
      const presigner = new Presigner(config);
      for (const key of KEYS) {
        const ours = ourPut(presigner, config, key, SIGNED_AT);
        assert.equal(ours, await sdkPut(config, key, SIGNED_AT), key);
        const signed = new URL(ours).searchParams.get('X-Amz-SignedHeaders');
        assert.equal(signed, 'content-length;content-type;host');
      }
    });

    test(`GET, ${style}`, async () => {
      const presigner = new Presigner(config);
      for (const key of KEYS) {
        const ours = presigner.presign({ method: 'GET', bucket: config.privateBucket, key, signedAt: SIGNED_AT, expiresInSeconds: 3600 });
        const sdk = await getSignedUrl(createS3Client(config), new GetObjectCommand({ Bucket: config.privateBucket, Key: key }), { expiresIn: 3600, signingDate: SIGNED_AT });
        assert.equal(ours, sdk, key);
      }
    });
  }

  test(
    'addresses a bucket whose name has dots path-style over HTTPS, as the SDK does (a wildcard TLS certificate covers one label only)',
    async () => {
      const config = r2StorageConfig({ privateBucket: 'assets.prod' });
      const ours = new Presigner(config).presign({ method: 'GET', bucket: 'assets.prod', key: 'k', signedAt: SIGNED_AT, expiresInSeconds: 60 });
      const sdk = await getSignedUrl(createS3Client(config), new GetObjectCommand({ Bucket: 'assets.prod', Key: 'k' }), { expiresIn: 60, signingDate: SIGNED_AT });
      assert.equal(ours, sdk);
    },
  );

  test('re-derives the signing key when the day changes', async () => {
    const config = r2StorageConfig();
    const presigner = new Presigner(config);
    const nextDay = new Date(SIGNED_AT.getTime() + 86_400_000);
    ourPut(presigner, config, KEYS[0]!, SIGNED_AT);
    assert.equal(ourPut(presigner, config, KEYS[0]!, nextDay), await sdkPut(config, KEYS[0]!, nextDay));
    assert.equal(ourPut(presigner, config, KEYS[0]!, SIGNED_AT), await sdkPut(config, KEYS[0]!, SIGNED_AT));
  });
});

describe('Presigner URLs', () => {
  test('address the object path-style on MinIO and virtual-hosted on R2', () => {
    const key = 'ns/owner/id';
    assert.ok(new Presigner(minioStorageConfig()).presign({ method: 'GET', bucket: 'b1', key, expiresInSeconds: 60 }).startsWith('http://localhost:9000/b1/ns/owner/id?'));
    assert.ok(new Presigner(r2StorageConfig()).presign({ method: 'GET', bucket: 'b1', key, expiresInSeconds: 60 }).startsWith('https://b1.account123.r2.cloudflarestorage.com/ns/owner/id?'));
  });

  test('carry the lifetime and never the secret', () => {
    const config = minioStorageConfig({ secret: 'very-secret-value' });
    const url = new URL(new Presigner(config).presign({ method: 'GET', bucket: 'b', key: 'k', expiresInSeconds: 123, signedAt: SIGNED_AT }));
    assert.equal(url.searchParams.get('X-Amz-Expires'), '123');
    assert.equal(url.searchParams.get('X-Amz-Date'), '20250304T050607Z');
    assert.ok(!url.href.includes('very-secret-value'));
  });

  test('change their signature when any signed part changes', () => {
    const config = minioStorageConfig();
    const presigner = new Presigner(config);
    const signature = (overrides: Partial<{ key: string; type: string; length: string; expires: number }>) =>
      new URL(
        presigner.presign({
          method: 'PUT',
          bucket: 'b',
          key: overrides.key ?? 'k',
          headers: { 'content-type': overrides.type ?? 'image/png', 'content-length': overrides.length ?? '10' },
          signedAt: SIGNED_AT,
          expiresInSeconds: overrides.expires ?? 60,
        }),
      ).searchParams.get('X-Amz-Signature');
    const base = signature({});
    assert.match(base ?? '', /^[0-9a-f]{64}$/);
    for (const changed of [{ key: 'k2' }, { type: 'image/jpeg' }, { length: '11' }, { expires: 61 }]) assert.notEqual(signature(changed), base, JSON.stringify(changed));
  });
});
