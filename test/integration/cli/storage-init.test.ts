import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GetBucketPolicyCommand, GetObjectCommand, HeadObjectCommand, PutBucketPolicyCommand, PutObjectAclCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { loadStorageSettings, required } from '../../../src/operations/settings.js';
import { Presigner } from '../../../src/storage/presigner.js';
import { S3ObjectStorage } from '../../../src/storage/s3-object-storage.js';
import { adminS3, createBuckets, deleteBuckets, s3Endpoint, uniqueName } from '../../support/infra.js';
import { putBytes } from '../../support/operations.js';
import { serviceEnv } from '../../support/test-service.js';
import { runCli, storageOnly, type CliResult } from '../../support/cli-process.js';
import { startMinioCorsFront } from '../../support/minio-cors-front.js';
import { startS3Front, type S3ErrorAnswer } from '../../support/s3-front.js';

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

  test('creates both buckets, the public-read policy, the object-ACL refusal on the private bucket and CORS on both, one line per action, without database or JWT settings', () => {
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 6).map((l) => l.split(':')[0]), [
      `created   bucket ${publicBucket}`,
      `created   bucket ${privateBucket}`,
      `created   public read on ${publicBucket}`,
      `created   object ACLs refused on ${privateBucket}`,
      `created   CORS on ${publicBucket}`,
      `created   CORS on ${privateBucket}`,
    ]);
    assert.equal(lines[6], '6 change(s) applied.');
  });

  test('a second run changes nothing and says so', () => {
    assert.equal(second.code, 0, second.stderr);
    const lines = second.stdout.trim().split('\n');
    assert.equal(lines.length, 7, second.stdout);
    assert.ok(lines.slice(0, 6).every((l) => l.startsWith('unchanged ')), second.stdout);
    assert.match(lines[3] ?? '', new RegExp(`^unchanged object ACLs refused on ${privateBucket}:`));
    assert.equal(lines[6], 'No changes: storage was already set up.');
  });

  describe('an upload URL of the private bucket', () => {
    const storage = required(loadStorageSettings(env)).storage;
    const presigner = new Presigner(storage);
    const body = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>');
    /** An upload URL as the service signs it: content-type, content-length and host. */
    const uploadUrl = (key: string) => presigner.presign({ method: 'PUT', bucket: privateBucket, key, headers: { 'content-type': 'image/svg+xml', 'content-length': String(body.length) }, expiresInSeconds: 300 });
    /** A PUT of the SVG to `url` with its Content-Type and the `extra` headers (unsigned). */
    const upload = (url: string, extra: Record<string, string> = {}) => putBytes(url, body, 'image/svg+xml', extra);
    const anonymousGet = (key: string) => fetch(new URL(`/${privateBucket}/${key}`, s3Endpoint()));
    const stored = (key: string) => s3.send(new HeadObjectCommand({ Bucket: privateBucket, Key: key })).then(() => true, () => false);

    test('is refused when the uploader adds x-amz-acl: public-read, leaving its key unreadable to anyone, while the same URL without it uploads', async () => {
      const key = `~uploads/${randomUUID()}`;
      const url = uploadUrl(key);
      const put = await upload(url, { 'x-amz-acl': 'public-read' });
      const refusal = await put.text();
      assert.equal(put.status, 403, refusal);
      assert.match(refusal, /<Code>AccessDenied<\/Code>/);
      assert.equal(await stored(key), false);
      assert.equal((await anonymousGet(key)).status, 403);
      // As the clients send it: only Content-Type.
      const plain = await upload(url);
      assert.equal(plain.status, 200, await plain.text());
      const read = await s3.send(new GetObjectCommand({ Bucket: privateBucket, Key: key }));
      assert.equal(await read.Body?.transformToString(), body.toString());
      assert.equal((await anonymousGet(key)).status, 403);
    });

    test('is refused with any other canned ACL than private or with a header granting AllUsers access, while x-amz-acl: private uploads', async () => {
      const everyone = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"';
      const refused: Record<string, string>[] = [
        { 'x-amz-acl': 'public-read-write' },
        { 'x-amz-acl': 'authenticated-read' },
        { 'x-amz-grant-read': everyone },
        { 'x-amz-grant-full-control': everyone },
        { 'x-amz-grant-write-acp': everyone },
      ];
      for (const extra of refused) {
        const key = `~uploads/${randomUUID()}`;
        assert.equal((await upload(uploadUrl(key), extra)).status, 403, JSON.stringify(extra));
        assert.equal((await anonymousGet(key)).status, 403, JSON.stringify(extra));
      }
      const key = `~uploads/${randomUUID()}`;
      assert.equal((await upload(uploadUrl(key), { 'x-amz-acl': 'private' })).status, 200);
      assert.equal((await anonymousGet(key)).status, 403);
    });

    test('lets confirm copy the upload to its key and delete it, and no one change the ACL of an object afterwards', async () => {
      const upload1 = `~uploads/${randomUUID()}`;
      assert.equal((await upload(uploadUrl(upload1))).status, 200);
      const objects = new S3ObjectStorage(s3, presigner, storage);
      const { ETag } = await s3.send(new HeadObjectCommand({ Bucket: privateBucket, Key: upload1 }));
      const target = `default/owner/${randomUUID()}`;
      assert.equal(await objects.copyObject({ bucket: privateBucket, key: upload1, etag: ETag }, { bucket: privateBucket, key: target, contentType: 'image/svg+xml' }), true);
      await objects.deleteObject(privateBucket, upload1);
      assert.equal(await stored(upload1), false);
      await assert.rejects(s3.send(new PutObjectAclCommand({ Bucket: privateBucket, Key: target, ACL: 'public-read' })), { name: 'AccessDenied' });
      assert.equal((await anonymousGet(target)).status, 403);
    });
  });

  test('an operator statement already in the private bucket policy survives while the object-ACL refusal is added, and a second run leaves both as they are', async () => {
    const bucket = uniqueName('init-merge-priv');
    const ownStatement = { Sid: 'OperatorDeny', Effect: 'Deny', Principal: '*', Action: ['s3:DeleteBucket'], Resource: [`arn:aws:s3:::${bucket}`] };
    const mergeEnv = { ...env, STORAGE_PRIVATE_BUCKET: bucket };
    try {
      await createBuckets(s3, bucket);
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [ownStatement] }) }));
      const rerun = await runCli(['storage', 'init'], mergeEnv);
      assert.match(rerun.stdout, new RegExp(`updated   object ACLs refused on ${bucket}`));
      const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '{}';
      assert.deepEqual(JSON.parse(policy).Statement.map((s: { Sid: string }) => s.Sid), [
        'OperatorDeny',
        'DenyCannedAclOnPut',
        'DenyGrantReadOnPut',
        'DenyGrantReadACPOnPut',
        'DenyGrantWriteACPOnPut',
        'DenyGrantFullControlOnPut',
        'DenyObjectAclChanges',
      ]);
      const again = await runCli(['storage', 'init'], mergeEnv);
      assert.match(again.stdout, new RegExp(`unchanged object ACLs refused on ${bucket}`));
      assert.equal((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy, policy);
    } finally {
      await deleteBuckets(s3, bucket);
    }
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
      assert.deepEqual(lines.slice(0, 6).map((l) => l.split(':')[0]), [
        `created   bucket ${minioPublic}`,
        `created   bucket ${minioPrivate}`,
        `created   public read on ${minioPublic}`,
        `created   object ACLs refused on ${minioPrivate}`,
        `manual    CORS on ${minioPublic}`,
        `manual    CORS on ${minioPrivate}`,
      ]);
      for (const line of lines.slice(4, 6)) assert.match(line, new RegExp(`NotImplemented.*MINIO_API_CORS_ALLOW_ORIGIN=${ORIGIN},http://localhost:3000`));
      assert.equal(lines[6], '4 change(s) applied. 2 step(s) above need doing by hand.');
      assert.deepEqual(front.corsCalls, [`GET /${minioPublic}`, `PUT /${minioPublic}`, `GET /${minioPrivate}`, `PUT /${minioPrivate}`]);
    } finally {
      await front.close();
      await deleteBuckets(s3, minioPublic, minioPrivate);
    }
  });

  type PolicyAnswer = (policy: string) => S3ErrorAnswer | undefined;
  const cases: [string, PolicyAnswer, RegExp][] = [
    ['without bucket policies (NotImplemented)', () => [501, 'NotImplemented', 'A header you provided implies functionality that is not implemented'], /does not support bucket policies \(NotImplemented\).*no object ACLs.*doctor/],
    // MinIO knows no s3:x-amz-acl or s3:x-amz-grant-* condition keys (and ignores object ACLs).
    ['that does not know the ACL policy conditions (MinIO: MalformedPolicy)', (policy: string) => (policy.includes('s3:x-amz-') ? [400, 'MalformedPolicy', 'invalid condition key'] : undefined), /does not accept the s3:x-amz-acl .*MalformedPolicy.*ignores object ACLs.*doctor/],
  ];
  for (const [store, answer, says] of cases) {
    test(`against a storage ${store} it finishes, exit 0, and says it skipped the object-ACL refusal and why`, async () => {
      const front = await startS3Front(s3Endpoint(), (_, url, body) => (url.searchParams.has('policy') ? answer(body.toString()) : undefined));
      const frontPublic = uniqueName('init-nopol-pub');
      const frontPrivate = uniqueName('init-nopol-priv');
      try {
        const result = await runCli(['storage', 'init'], { ...env, STORAGE_HOSTNAME: '127.0.0.1', STORAGE_PORT: String(front.port), STORAGE_PUBLIC_BUCKET: frontPublic, STORAGE_PRIVATE_BUCKET: frontPrivate });
        assert.equal(result.code, 0, result.stderr);
        const line = result.stdout.split('\n').find((l) => l.includes(`object ACLs refused on ${frontPrivate}:`)) ?? '';
        assert.match(line, /^skipped /, result.stdout);
        assert.match(line, says);
        const policy = await s3.send(new GetBucketPolicyCommand({ Bucket: frontPrivate })).then((r) => r.Policy, (error: { name?: string }) => error.name);
        assert.equal(policy, 'NoSuchBucketPolicy');
      } finally {
        await front.close();
        await deleteBuckets(s3, frontPublic, frontPrivate);
      }
    });
  }
});
