import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import { sameCorsRules, uploadCorsRules } from '../../../src/operations/storage-init/bucket-cors.js';
import { grantsAnonymousRead, publicReadPolicy, withPublicRead } from '../../../src/operations/storage-init/public-read-policy.js';
import { initStorage } from '../../../src/operations/storage-init/storage-init.js';
import { loadStorageSettings, required } from '../../../src/operations/settings.js';

describe('upload CORS rules', () => {
  test('allow PUT, GET and HEAD with the headers upload URLs sign, and expose ETag', () => {
    const [rule] = uploadCorsRules(['https://app.example.com']);
    assert.deepEqual(rule?.AllowedMethods, ['PUT', 'GET', 'HEAD']);
    assert.deepEqual(rule?.AllowedHeaders, ['Content-Type', 'x-amz-checksum-sha256', 'If-None-Match', 'Cache-Control']);
    assert.deepEqual(rule?.ExposeHeaders, ['ETag']);
  });

  test('count as unchanged when storage returns them reordered and in other header case', () => {
    const stored = [{ AllowedOrigins: ['b', 'a'], AllowedMethods: ['HEAD', 'get', 'PUT'], AllowedHeaders: ['cache-control', 'if-none-match', 'content-type', 'X-Amz-Checksum-Sha256'], ExposeHeaders: ['etag'], MaxAgeSeconds: 3600 }];
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
    const sent: string[] = [];
    const fakeR2 = {
      async send(command: object) {
        const name = command.constructor.name;
        sent.push(name);
        if (name === 'GetBucketCorsCommand') throw Object.assign(new Error('none'), { name: 'NoSuchCORSConfiguration' });
        return {};
      },
    } as unknown as S3Client;
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
    assert.equal(publicRead?.outcome, 'manual');
    assert.match(publicRead?.detail ?? '', /Custom Domains.*https:\/\/assets\.example\.com/);
    assert.equal(sent.includes('PutBucketPolicyCommand'), false);
    assert.equal(sent.filter((n) => n === 'PutBucketCorsCommand').length, 2);
  });
});
