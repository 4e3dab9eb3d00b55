import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeStartupError } from '../../../src/cli/startup-errors.js';
import { StartupError } from '../../../src/config/startup-error.js';
import { sameCorsRules, uploadCorsRules } from '../../../src/operations/storage-init/bucket-cors.js';
import { grantsAnonymousRead, publicReadPolicy, withPublicRead } from '../../../src/operations/storage-init/public-read-policy.js';
import { initStorage } from '../../../src/operations/storage-init/storage-init.js';
import { loadStorageSettings, required } from '../../../src/operations/settings.js';
import { recordingS3Client } from '../fakes.js';

describe('upload CORS rules', () => {
  test('allow PUT, GET and HEAD with the headers upload URLs sign, and expose ETag', () => {
    const [rule] = uploadCorsRules(['https://app.example.com']);
    assert.deepEqual(rule?.AllowedMethods, ['PUT', 'GET', 'HEAD']);
    assert.deepEqual(rule?.AllowedHeaders, ['Content-Type', 'x-amz-checksum-sha256']);
    assert.deepEqual(rule?.ExposeHeaders, ['ETag']);
  });

  test('count as unchanged when storage returns them reordered and in other header case', () => {
    const stored = [{ AllowedOrigins: ['b', 'a'], AllowedMethods: ['HEAD', 'get', 'PUT'], AllowedHeaders: ['X-Amz-Checksum-Sha256', 'content-type'], ExposeHeaders: ['etag'], MaxAgeSeconds: 3600 }];
    assert.equal(sameCorsRules(stored, uploadCorsRules(['a', 'b'])), true);
  });

  test('count as changed when an origin is added', () => {
    assert.equal(sameCorsRules(uploadCorsRules(['a']), uploadCorsRules(['a', 'b'])), false);
  });
});

describe('public read policy', () => {
  test('is recognised however storage spells it back', () => {
    const awsStyle = JSON.stringify({ Statement: { Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::pub/*' } });
    assert.equal(grantsAnonymousRead(publicReadPolicy('pub'), 'pub'), true);
    assert.equal(grantsAnonymousRead(awsStyle, 'pub'), true);
  });

  test('is not recognised for another bucket, a named principal or a Deny', () => {
    const named = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::1:user/x'] }, Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::pub/*'] }] });
    const deny = JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::pub/*'] }] });
    assert.equal(grantsAnonymousRead(publicReadPolicy('other'), 'pub'), false);
    assert.equal(grantsAnonymousRead(named, 'pub'), false);
    assert.equal(grantsAnonymousRead(deny, 'pub'), false);
    assert.equal(grantsAnonymousRead(undefined, 'pub'), false);
  });

  test('is appended to an existing policy instead of replacing it', () => {
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Mine', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::pub/*' }] });
    const merged = JSON.parse(withPublicRead(existing, 'pub'));
    assert.deepEqual(merged.Statement.map((s: { Sid: string }) => s.Sid), ['Mine', 'PublicRead']);
  });
});

describe('storage init against Cloudflare R2', () => {
  test('sets no bucket policy and prints the dashboard custom-domain step instead', async () => {
    const { client: fakeR2, sent } = recordingS3Client((name) => (name === 'GetBucketCors' ? Object.assign(new Error('none'), { name: 'NoSuchCORSConfiguration' }) : {}));
    const settings = required(
      loadStorageSettings({
        STORAGE_HOSTNAME: 'acc.r2.cloudflarestorage.com',
        STORAGE_REGION: 'auto',
        STORAGE_ACCESS_KEY: 'k',
        STORAGE_SECRET: 's',
        STORAGE_PUBLIC_BASE_PATH: 'https://assets.example.com',
        ASSET_CORS_ALLOWED_ORIGINS: 'https://app.example.com',
      }),
    );
    const actions = await initStorage(fakeR2, settings);
    const publicRead = actions.find((a) => a.subject.startsWith('public read'));
    const names = sent.map(({ name }) => name);
    assert.equal(publicRead?.outcome, 'manual');
    assert.match(publicRead?.detail ?? '', /Custom Domains.*https:\/\/assets\.example\.com/);
    assert.equal(names.includes('PutBucketPolicy'), false);
    assert.equal(names.filter((n) => n === 'PutBucketCors').length, 2);
  });
});

describe('storage init against a storage without bucket CORS (free MinIO)', () => {
  const MINIO_ENV = {
    STORAGE_HOSTNAME: 'minio',
    STORAGE_PORT: '9000',
    STORAGE_USE_HTTPS: 'false',
    STORAGE_ACCESS_KEY: 'k',
    STORAGE_SECRET: 's',
    STORAGE_PUBLIC_BUCKET: 'pub',
    STORAGE_PRIVATE_BUCKET: 'priv',
    ASSET_CORS_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:3000',
  };
  const minioSettings = required(loadStorageSettings(MINIO_ENV));
  const s3Error = (name: string, status: number, message: string) => Object.assign(new Error(message), { name, Code: name, $metadata: { httpStatusCode: status } });
  const notImplemented = () => s3Error('NotImplemented', 501, 'A header you provided implies functionality that is not implemented');

  /** A storage whose buckets exist and take policies, and that answers the CORS calls with `answers`; `sent()` lists "<command> <bucket>". */
  function fakeStorage(answers: { get?: () => Error; put?: () => Error; policy?: () => Error }) {
    const { client, sent } = recordingS3Client((name) => {
      if (name === 'GetBucketPolicy') return answers.policy?.() ?? s3Error('NoSuchBucketPolicy', 404, 'no policy');
      if (name === 'GetBucketCors') return answers.get?.() ?? s3Error('NoSuchCORSConfiguration', 404, 'no CORS');
      if (name === 'PutBucketCors' && answers.put) return answers.put();
      return {};
    });
    return { client, sent: () => sent.map(({ name, input }) => `${name} ${input.Bucket}`) };
  }

  for (const [when, answers] of [
    ['PutBucketCors answers NotImplemented (MinIO: GetBucketCors says there is none)', { put: notImplemented }],
    ['GetBucketCors answers NotImplemented', { get: notImplemented }],
  ] as const) {
    test(`completes when ${when}, reporting the MinIO CORS setting as a step by hand, and runs the other steps`, async () => {
      const { client, sent } = fakeStorage(answers);
      const reported: string[] = [];
      const actions = await initStorage(client, minioSettings, (a) => reported.push(a.subject));
      assert.deepEqual(
        actions.map((a) => [a.outcome, a.subject]),
        [
          ['unchanged', 'bucket pub'],
          ['unchanged', 'bucket priv'],
          ['created', 'public read on pub'],
          ['created', 'object ACLs refused on priv'],
          ['manual', 'CORS on pub'],
          ['manual', 'CORS on priv'],
        ],
      );
      assert.deepEqual(reported, actions.map((a) => a.subject));
      assert.ok(sent().includes('PutBucketPolicy pub'), 'the public-read policy is still set');
      assert.ok(sent().includes('GetBucketCors priv'), 'the private bucket is still tried after the public one');
      for (const action of actions.filter((a) => a.outcome === 'manual')) {
        assert.match(action.detail, /NotImplemented/);
        assert.match(action.detail, /MINIO_API_CORS_ALLOW_ORIGIN=https:\/\/app\.example\.com,http:\/\/localhost:3000/);
      }
    });
  }

  test('AccessDenied on a CORS call still fails, with what was being done and which permission to grant', async () => {
    const { client, sent } = fakeStorage({ put: () => s3Error('AccessDenied', 403, 'Access Denied.') });
    const failure = await initStorage(client, minioSettings).then(
      () => assert.fail('expected storage init to fail'),
      (error: unknown) => error as Error,
    );
    assert.ok(failure instanceof StartupError, 'printed as it is, without a stack trace');
    assert.match(failure.message, /^Setting CORS on bucket "pub" was denied \(AccessDenied: Access Denied\.\)/);
    assert.match(failure.message, /STORAGE_ACCESS_KEY/);
    assert.match(failure.message, /s3:PutBucketCORS/);
    assert.equal(describeStartupError(failure), failure.message);
    assert.equal(sent().includes('GetBucketCors priv'), false, 'stops at the first failure');
  });

  test('AccessDenied on the bucket policy fails the same way, naming the policy permissions', async () => {
    const { client } = fakeStorage({ policy: () => s3Error('AccessDenied', 403, 'Access Denied.') });
    await assert.rejects(
      initStorage(client, minioSettings),
      /^StorageInitError: Setting the public-read policy on bucket "pub" was denied \(AccessDenied: Access Denied\.\)\. Give the credentials in STORAGE_ACCESS_KEY permission to read and write the bucket policy \(s3:GetBucketPolicy and s3:PutBucketPolicy\)/,
    );
  });

  test('any other error on a CORS call fails too, naming the bucket and the cause', async () => {
    const { client } = fakeStorage({ get: () => s3Error('InternalError', 500, 'We encountered an internal error.') });
    await assert.rejects(initStorage(client, minioSettings), /^StorageInitError: Setting CORS on bucket "pub" failed \(InternalError: We encountered an internal error\.\)/);
  });
});
