import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetBucketPolicyCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { adminS3, createBuckets, deleteBuckets, s3Endpoint, uniqueName } from '../../support/infra.js';
import { serviceEnv } from '../../support/test-service.js';
import { runCli, storageOnly, type CliResult } from '../../support/cli-process.js';
import { startMinioCorsFront } from '../../support/minio-cors-front.js';

const ORIGIN = 'https://app.example.com';

describe('neotool-assets storage init', () => {
  const s3 = adminS3();
  const publicBucket = uniqueName('init-pub');
  const privateBucket = uniqueName('init-priv');
  const env = storageOnly({
    ...serviceEnv('postgres://unused', 'http://unused', publicBucket, privateBucket),
    ASSET_CORS_ALLOWED_ORIGINS: `${ORIGIN}, http://localhost:3000`,
  });
  let first: CliResult;
  let second: CliResult;

  before(async () => {
    first = await runCli(['storage', 'init'], env);
    second = await runCli(['storage', 'init'], env);
  });
  after(async () => {
    await deleteBuckets(s3, publicBucket, privateBucket);
    s3.destroy();
  });

  test('creates both buckets, the public-read policy and CORS on both, one line per action, without database or JWT settings', () => {
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 5).map((l) => l.split(':')[0]), [
      `created   bucket ${publicBucket}`,
      `created   bucket ${privateBucket}`,
      `created   public read on ${publicBucket}`,
      `created   CORS on ${publicBucket}`,
      `created   CORS on ${privateBucket}`,
    ]);
    assert.equal(lines[5], '5 change(s) applied.');
  });

  test('a second run changes nothing and says so', () => {
    assert.equal(second.code, 0, second.stderr);
    const lines = second.stdout.trim().split('\n');
    assert.ok(lines.slice(0, 5).every((l) => l.startsWith('unchanged ')), second.stdout);
    assert.equal(lines[5], 'No changes: storage was already set up.');
  });

  test('anyone can GET an object of the public bucket, but not of the private one', async () => {
    for (const bucket of [publicBucket, privateBucket]) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'hello.txt', Body: 'hello', ContentType: 'text/plain' }));
    }
    const publicGet = await fetch(new URL(`/${publicBucket}/hello.txt`, s3Endpoint()));
    assert.equal(publicGet.status, 200);
    assert.equal(await publicGet.text(), 'hello');
    const privateGet = await fetch(new URL(`/${privateBucket}/hello.txt`, s3Endpoint()));
    assert.equal(privateGet.status, 403);
  });

  test('storage answers a browser preflight for an upload from a configured origin, with the signed upload headers', async () => {
    for (const bucket of [publicBucket, privateBucket]) {
      const res = await fetch(new URL(`/${bucket}/some/key.png`, s3Endpoint()), {
        method: 'OPTIONS',
        headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type,x-amz-checksum-sha256' },
      });
      assert.equal(res.status, 200, bucket);
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      assert.match(res.headers.get('access-control-allow-methods') ?? '', /PUT/);
      assert.match(res.headers.get('access-control-expose-headers') ?? '', /ETag/i);
    }
  });

  test('storage refuses a preflight from an origin that is not configured', async () => {
    const res = await fetch(new URL(`/${publicBucket}/some/key.png`, s3Endpoint()), {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example.net', 'Access-Control-Request-Method': 'PUT' },
    });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  test('an operator statement already in the public bucket policy survives while public read is added', async () => {
    const bucket = uniqueName('init-merge');
    const ownStatement = { Sid: 'OperatorDeny', Effect: 'Deny', Principal: '*', Action: ['s3:DeleteObject'], Resource: [`arn:aws:s3:::${bucket}/*`] };
    const mergeEnv = { ...env, STORAGE_PUBLIC_BUCKET: bucket };
    try {
      await createBuckets(s3, bucket);
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [ownStatement] }) }));
      const rerun = await runCli(['storage', 'init'], mergeEnv);
      assert.match(rerun.stdout, new RegExp(`updated   public read on ${bucket}`));
      const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '{}');
      assert.deepEqual(policy.Statement.map((s: { Sid: string }) => s.Sid), ['OperatorDeny', 'PublicRead']);
    } finally {
      await deleteBuckets(s3, bucket);
    }
  });

  test('a wrong secret stops it with the runbook cause and fix, and nothing else', async () => {
    const result = await runCli(['storage', 'init'], { ...env, STORAGE_SECRET: 'wrong-secret' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /SignatureDoesNotMatch|rejected the request signature/);
    assert.match(result.stderr, /Fix STORAGE_SECRET/);
  });

  test('against a storage without bucket CORS (free MinIO answers NotImplemented) it finishes, exit 0, and prints the MinIO setting to make by hand', async () => {
    const front = await startMinioCorsFront(s3Endpoint());
    const minioPublic = uniqueName('init-minio-pub');
    const minioPrivate = uniqueName('init-minio-priv');
    try {
      const result = await runCli(['storage', 'init'], { ...env, STORAGE_HOSTNAME: '127.0.0.1', STORAGE_PORT: String(front.port), STORAGE_PUBLIC_BUCKET: minioPublic, STORAGE_PRIVATE_BUCKET: minioPrivate });
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split('\n');
      assert.deepEqual(lines.slice(0, 5).map((l) => l.split(':')[0]), [
        `created   bucket ${minioPublic}`,
        `created   bucket ${minioPrivate}`,
        `created   public read on ${minioPublic}`,
        `manual    CORS on ${minioPublic}`,
        `manual    CORS on ${minioPrivate}`,
      ]);
      for (const line of lines.slice(3, 5)) assert.match(line, new RegExp(`NotImplemented.*MINIO_API_CORS_ALLOW_ORIGIN=${ORIGIN},http://localhost:3000`));
      assert.equal(lines[5], '3 change(s) applied. 2 step(s) above need doing by hand.');
      assert.deepEqual(front.corsCalls, [`GET /${minioPublic}`, `PUT /${minioPublic}`, `GET /${minioPrivate}`, `PUT /${minioPrivate}`]);
    } finally {
      await front.close();
      await deleteBuckets(s3, minioPublic, minioPrivate);
    }
  });
});
