import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetBucketPolicyCommand, ListObjectsV2Command, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { migrate } from '../../../src/db/migrate.js';
import { createPool } from '../../../src/db/pool.js';
import type { CheckResult } from '../../../src/operations/doctor/checks.js';
import { runDoctor } from '../../../src/operations/doctor/doctor.js';
import { adminS3, closedPort, createBuckets, createDatabase, deleteBuckets, endPool, s3Endpoint, secondS3User, silentEndpoint, uniqueName } from '../../support/infra.js';
import { publicReadPolicy, serviceEnv } from '../../support/test-service.js';
import { TestIssuer } from '../../support/test-issuer.js';
import { testRedisUrl } from '../../support/limit-backends.js';
import { runCli } from '../../support/cli-process.js';
import { jsonServer } from '../../support/json-server.js';

describe('neotool-assets doctor', () => {
  const s3 = adminS3();
  const publicBucket = uniqueName('doc-pub');
  const privateBucket = uniqueName('doc-priv');
  let issuer: TestIssuer;
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let env: Record<string, string>;

  before(async () => {
    issuer = await new TestIssuer().start();
    database = await createDatabase();
    const pool = createPool(database.url, 1);
    await migrate(pool);
    await endPool(pool);
    env = { ...serviceEnv(database.url, issuer.jwksUrl, publicBucket, privateBucket), ASSET_CORS_ALLOWED_ORIGINS: 'https://app.example.com' };
    const init = await runCli(['storage', 'init'], env);
    assert.equal(init.code, 0, init.stderr);
  });
  after(async () => {
    await deleteBuckets(s3, publicBucket, privateBucket);
    await database.drop();
    await issuer.stop();
    s3.destroy();
  });

  const doctor = (overrides: Record<string, string> = {}) => runDoctor({ ...env, ...overrides });
  const find = (results: CheckResult[], name: string) => {
    const result = results.find((r) => r.name === name);
    assert.ok(result, `no check named "${name}" in ${results.map((r) => r.name).join(', ')}`);
    return result;
  };
  async function assertNoProbesLeft(...buckets: string[]) {
    for (const bucket of buckets.length ? buckets : [publicBucket, privateBucket]) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'neotool-doctor/' }));
      assert.equal(listed.KeyCount, 0, `probe objects left in ${bucket}`);
    }
  }

  test('passes every check on a set-up deployment, prints one line per check and exits 0', async () => {
    const result = await runCli(['doctor'], env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const lines = result.stdout.trim().split('\n');
    // Ceph 16 ignores x-amz-copy-source-if-match (it reads an older header name); the copy's ETag catches it instead.
    assert.ok(lines.some((l) => /^PASS {2}confirm copies uploads to their key: .*only while it held the bytes of the ETag it was checked by/.test(l)), result.stdout);
    const checkLines = lines.slice(0, -1);
    assert.ok(checkLines.length >= 17, result.stdout);
    assert.ok(checkLines.every((l) => l.startsWith('PASS  ')), result.stdout);
    for (const name of ['storage endpoint reachable', 'storage credentials valid', `bucket ${publicBucket} exists`, 'presigned PUT and GET round trip', 'public URL serves public objects', 'private bucket refuses anonymous reads', 'uploads cannot be made public', `CORS preflight on ${privateBucket}`, 'namespaces file valid', 'database reachable and migrated', 'JWKS serves an RS256 key', 'tokens scoped to this service', 'no example values left']) {
      assert.ok(checkLines.some((l) => l.startsWith(`PASS  ${name}:`)), `${name} missing from:\n${result.stdout}`);
    }
    // After storage init, an upload sent with x-amz-acl: public-read is refused.
    assert.ok(lines.includes('PASS  uploads cannot be made public: storage refused an upload sent with x-amz-acl: public-read (HTTP 403 AccessDenied)'), result.stdout);
    assert.match(lines.at(-1) ?? '', /0 fail/);
    await assertNoProbesLeft();
  });

  // The service loads the namespaces file before anything else and will not start without it.
  test('the namespaces file is loaded as the service loads it: passing with how many namespaces it declares', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'doctor-namespaces-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'namespaces.yaml');
    await writeFile(file, namespacesYaml({ default: 'PRIVATE', avatars: 'PUBLIC' }));
    const check = find(await doctor({ ASSET_CONFIG_PATH: file }), 'namespaces file valid');
    assert.equal(check.status, 'pass');
    assert.equal(check.message, `2 namespace(s) in ${file}: default, avatars`);
    // Without ASSET_CONFIG_PATH, the default path, read from the directory doctor runs in, as the service does.
    const shipped = find(await doctor(), 'namespaces file valid');
    assert.equal(shipped.status, 'pass');
    assert.match(shipped.message, /^4 namespace\(s\) in config\/namespaces\.yaml: user-profiles, group-assets, attachments, default$/);
  });

  test('a missing namespaces file fails with the message the service stops with and the setting to fix; doctor then exits 1', async () => {
    const missing = path.join(tmpdir(), uniqueName('no-such-namespaces'), 'namespaces.yaml');
    const started = await runCli(['serve'], { ...env, ASSET_CONFIG_PATH: missing });
    assert.notEqual(started.code, 0);
    const serviceMessage = started.stderr.trim().replace(/^neotool-assets: /, '');
    assert.equal(serviceMessage, `Cannot read the namespaces file "${missing}" (ASSET_CONFIG_PATH): there is no such file. Set ASSET_CONFIG_PATH to the path of your namespaces file, or mount the file there.`);
    const result = await runCli(['doctor'], { ...env, ASSET_CONFIG_PATH: missing });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const line = result.stdout.split('\n').find((l) => l.includes('namespaces file valid:'));
    assert.equal(line, `FAIL  namespaces file valid: ${serviceMessage} The service will not start without it.`, result.stdout);
    assert.doesNotMatch(result.stdout, /The deployment is ready/);
  });

  test('an invalid namespaces file fails with the service\'s message naming the entry, and the fix', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'doctor-namespaces-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const invalid = path.join(dir, 'invalid.yaml');
    await writeFile(invalid, namespacesYaml({ default: 'PRIVATE', avatars: 'SECRET' }));
    const started = await runCli(['serve'], { ...env, ASSET_CONFIG_PATH: invalid });
    assert.notEqual(started.code, 0);
    const serviceMessage = started.stderr.trim().replace(/^neotool-assets: /, '');
    assert.match(serviceMessage, /^Namespaces file ".*invalid\.yaml" is invalid at namespaces\.avatars\.visibility: /);
    const check = find(await doctor({ ASSET_CONFIG_PATH: invalid }), 'namespaces file valid');
    assert.equal(check.status, 'fail');
    assert.ok(check.message.startsWith(`${serviceMessage}. Correct the file`), check.message);
    // Not YAML at all: the parser's position, on the one line a check is printed on.
    const notYaml = path.join(dir, 'not-yaml.yaml');
    await writeFile(notYaml, 'namespaces:\n  default: visibility: PRIVATE\n');
    const yaml = find(await doctor({ ASSET_CONFIG_PATH: notYaml }), 'namespaces file valid');
    assert.equal(yaml.status, 'fail');
    assert.match(yaml.message, /^Namespaces file ".*not-yaml\.yaml" \(ASSET_CONFIG_PATH\) is not valid YAML: .* at line 2, column \d+\. Correct the file/);
    assert.doesNotMatch(yaml.message, /\n/);
    // Well-formed, but without the fallback namespace the service requires.
    const noDefault = path.join(dir, 'no-default.yaml');
    await writeFile(noDefault, namespacesYaml({ avatars: 'PUBLIC' }));
    assert.match(find(await doctor({ ASSET_CONFIG_PATH: noDefault }), 'namespaces file valid').message, /must declare a "default" namespace .*Correct the file/);
  });

  test('with REDIS_URL set, Redis is checked too: passing when it answers, failing with the fix when it does not', async () => {
    assert.match(find(await doctor({ REDIS_URL: testRedisUrl() }), 'Redis answers').message, /answers at 127\.0\.0\.1:\d+/);
    const unreachable = find(await doctor({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }), 'Redis answers');
    assert.equal(unreachable.status, 'fail');
    assert.match(unreachable.message, /Cannot reach Redis at 127\.0\.0\.1:\d+ .*Check REDIS_URL/);
    assert.equal((await doctor()).some((r) => r.name === 'Redis answers'), false, 'no Redis check without REDIS_URL');
  });

  test('--json prints one document with every check, and exits 1 when one fails', async () => {
    const result = await runCli(['doctor', '--json'], { ...env, STORAGE_SECRET: 'not-the-secret' });
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: CheckResult[] };
    assert.equal(report.ok, false);
    assert.equal(find(report.checks, 'storage credentials valid').status, 'fail');
  });

  test('a missing bucket fails with the storage init fix, and the checks that need it are skipped', async () => {
    const missing = uniqueName('doc-missing');
    const results = await doctor({ STORAGE_PRIVATE_BUCKET: missing });
    const exists = find(results, `bucket ${missing} exists`);
    assert.equal(exists.status, 'fail');
    assert.match(exists.message, /does not exist.*neotool-assets storage init.*STORAGE_PRIVATE_BUCKET/);
    assert.equal(find(results, `write and read back in ${missing}`).status, 'skip');
    assert.match(find(results, 'presigned PUT and GET round trip').message, new RegExp(`skipped because "bucket ${missing} exists" did not pass`));
    assert.equal(find(results, 'public URL serves public objects').status, 'pass');
    await assertNoProbesLeft();
  });

  test('a wrong secret is told apart from a wrong access key', async () => {
    const wrongSecret = find(await doctor({ STORAGE_SECRET: 'not-the-secret' }), 'storage credentials valid');
    assert.equal(wrongSecret.status, 'fail');
    assert.match(wrongSecret.message, /^SignatureDoesNotMatch: .*Fix STORAGE_SECRET/);
    const wrongKey = find(await doctor({ STORAGE_ACCESS_KEY: 'NOSUCHACCESSKEY' }), 'storage credentials valid');
    assert.equal(wrongKey.status, 'fail');
    assert.match(wrongKey.message, /^InvalidAccessKeyId: .*Fix STORAGE_ACCESS_KEY/);
  });

  test('credentials without a grant on the buckets are reported as AccessDenied', async () => {
    const { accessKeyId, secretAccessKey } = secondS3User();
    const other = find(await doctor({ STORAGE_ACCESS_KEY: accessKeyId, STORAGE_SECRET: secretAccessKey }), 'storage credentials valid');
    assert.equal(other.status, 'fail');
    assert.match(other.message, /^AccessDenied: .*Give the credentials/);
  });

  test('an unreachable port fails as connection refused with the fix, and every storage check after it is skipped', async () => {
    const results = await doctor({ STORAGE_PORT: String(await closedPort()) });
    const endpoint = find(results, 'storage endpoint reachable');
    assert.equal(endpoint.status, 'fail');
    assert.match(endpoint.message, /connection refused.*Check STORAGE_PORT/);
    const storageChecks = results.slice(results.indexOf(endpoint) + 1).filter((r) => !/database|JWKS/.test(r.name));
    assert.ok(storageChecks.length >= 12);
    assert.ok(storageChecks.every((r) => r.status === 'skip'), JSON.stringify(storageChecks));
    assert.equal(find(results, 'database reachable and migrated').status, 'pass');
  });

  test('a name that does not resolve, a TLS mismatch and a silent endpoint are each named', async () => {
    const dns = find(await doctor({ STORAGE_HOSTNAME: 'no-such-host.invalid' }), 'storage endpoint reachable');
    assert.match(dns.message, /does not resolve \(DNS failure/);
    const tls = find(await doctor({ STORAGE_USE_HTTPS: 'true' }), 'storage endpoint reachable');
    assert.match(tls.message, /TLS handshake .* failed.*STORAGE_USE_HTTPS/);
    const silent = await silentEndpoint();
    try {
      const timeout = find(await doctor({ STORAGE_PORT: String(silent.port), STORAGE_TIMEOUT_MS: '300' }), 'storage endpoint reachable');
      assert.match(timeout.message, /within 300 ms \(timeout\)/);
    } finally {
      await silent.close();
    }
  });

  test('a web server answering 404 pages where the S3 API belongs fails the credentials check as no S3 endpoint, not as a missing bucket', async (t) => {
    const website = await jsonServer(() => ({ status: 404, body: '<html><body>Not Found</body></html>', contentType: 'text/html' }));
    t.after(() => website.close());
    const results = await doctor({ STORAGE_PORT: new URL(website.url).port });
    const credentials = find(results, 'storage credentials valid');
    assert.equal(credentials.status, 'fail');
    assert.match(credentials.message, /^NotAnS3Endpoint: Storage at http:\/\/127\.0\.0\.1:\d+ answered with a web page \(HTTP 404\), not as an S3 API: STORAGE_HOSTNAME and STORAGE_PORT must name the S3 API endpoint/);
  });

  test('a private bucket made public by a bucket policy fails loudly as a data leak', async () => {
    const initPolicy = (await s3.send(new GetBucketPolicyCommand({ Bucket: privateBucket }))).Policy!;
    await s3.send(new PutBucketPolicyCommand({ Bucket: privateBucket, Policy: publicReadPolicy(privateBucket) }));
    try {
      const results = await doctor();
      const leak = find(results, 'private bucket refuses anonymous reads');
      assert.equal(leak.status, 'fail');
      assert.match(leak.message, /^DATA LEAK: anyone can read .* Remove the bucket policy/);
      // The probe would be readable whatever its ACL: that check says nothing about ACLs then.
      assert.equal(find(results, 'uploads cannot be made public').status, 'skip');
    } finally {
      await s3.send(new PutBucketPolicyCommand({ Bucket: privateBucket, Policy: initPolicy }));
    }
    await assertNoProbesLeft();
  });

  test('on buckets made without storage init, an upload made public with x-amz-acl fails "uploads cannot be made public" with the storage init fix, and its probe is removed', async () => {
    const bare = { public: uniqueName('doc-bare-pub'), private: uniqueName('doc-bare-priv') };
    await createBuckets(s3, bare.public, bare.private);
    try {
      const results = await doctor({ STORAGE_PUBLIC_BUCKET: bare.public, STORAGE_PRIVATE_BUCKET: bare.private });
      const check = find(results, 'uploads cannot be made public');
      assert.equal(check.status, 'fail');
      assert.match(check.message, new RegExp(`^an uploader can make their upload public: storage took x-amz-acl: public-read on a presigned PUT to ${bare.private} and now serves http://\\S+/${bare.private}/neotool-doctor/\\S+ to anyone\\. run \`neotool-assets storage init\``));
      assert.equal(find(results, `probe objects removed from ${bare.private}`).status, 'pass');
      await assertNoProbesLeft(bare.public, bare.private);
    } finally {
      await deleteBuckets(s3, bare.public, bare.private);
    }
  });

  test('a public base path pointing to the wrong place fails with the URL that should be set', async () => {
    const wrong = new URL('/not-the-public-bucket', s3Endpoint()).toString();
    const check = find(await doctor({ STORAGE_PUBLIC_BASE_PATH: wrong }), 'public URL serves public objects');
    assert.equal(check.status, 'fail');
    assert.match(check.message, /answered HTTP 404: STORAGE_PUBLIC_BASE_PATH .* does not point at the public bucket/);
    assert.match(check.message, new RegExp(`Set STORAGE_PUBLIC_BASE_PATH to the URL that serves bucket ${publicBucket}`));
    await assertNoProbesLeft();
  });

  test("example values of the manifests left in place fail, naming each setting (secrets by name only), and the service's own pass", async () => {
    const results = await doctor({ JWT_ISSUER: 'https://security.yourdomain.com', ASSET_CORS_ALLOWED_ORIGINS: 'https://app.yourdomain.com', STORAGE_SECRET: '<secret-access-key>' });
    const left = find(results, 'no example values left');
    assert.equal(left.status, 'fail');
    assert.equal(
      left.message,
      'STORAGE_SECRET, JWT_ISSUER=https://security.yourdomain.com, ASSET_CORS_ALLOWED_ORIGINS=https://app.yourdomain.com: example values of the manifests or the runbook. ' +
        "Set your own (the production overlay's ConfigMap, or Vault secret/assets).",
    );
  });

  test('without JWT_ISSUER and JWT_AUDIENCE, doctor warns that tokens for other services are accepted, and still exits 0', async () => {
    const { JWT_ISSUER: _issuer, JWT_AUDIENCE: _audience, ...unscoped } = env;
    const result = await runCli(['doctor'], unscoped);
    assert.equal(result.code, 0, result.stdout);
    const line = result.stdout.split('\n').find((l) => l.includes('tokens scoped to this service:'));
    assert.equal(line, 'WARN  tokens scoped to this service: JWT_ISSUER and JWT_AUDIENCE not set: tokens issued for other services are accepted too. Set them to the "iss" and "aud" of tokens meant for this service.');
  });

  test('an unmigrated database, a JWKS without keys and missing settings are each reported with the fix', async () => {
    const fresh = await createDatabase();
    const emptyJwks = await jsonServer(() => ({ body: JSON.stringify({ keys: [] }) }));
    try {
      const results = await doctor({ DATABASE_URL: fresh.url, JWT_JWKS_URL: `${emptyJwks.url}/jwks` });
      assert.match(find(results, 'database reachable and migrated').message, /migration\(s\) not applied .*neotool-assets migrate/);
      assert.match(find(results, 'JWKS serves an RS256 key').message, /none of them an RS256 signing key/);
      const { JWT_JWKS_URL: _omitted, ...withoutJwks } = env;
      const unset = await runDoctor({ ...withoutJwks, STORAGE_PORT: 'abc' });
      assert.match(find(unset, 'JWT settings').message, /JWT_JWKS_URL is required/);
      assert.match(find(unset, 'storage settings').message, /STORAGE_PORT must be a whole number/);
      assert.equal(find(unset, 'storage checks').status, 'skip');
    } finally {
      await emptyJwks.close();
      await fresh.drop();
    }
  });
});

/** A namespaces file declaring each namespace with the given visibility (written as given, valid or not). */
function namespacesYaml(namespaces: Record<string, string>): string {
  const entries = Object.entries(namespaces).map(([name, visibility]) => [
    `  ${name}:`,
    `    visibility: ${visibility}`,
    '    keyTemplate: "{namespace}/{ownerId}/{assetId}"',
    '    maxSizeBytes: 1048576',
    '    allowedMimeTypes: [image/png]',
  ]);
  return ['namespaces:', ...entries.flat(), ''].join('\n');
}
