// Every call needs an RS256 token from the configured issuer, for this audience, with a known type and
// the permission for what it does; anything else is refused before a single row is written.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { PERMISSIONS } from '../../src/domain/principal.js';
import { fixture } from '../support/fixtures.js';
import { countAssets, createUpload, errorOf, readyAsset, sleep, uploadedAsset } from '../support/flows.js';
import { CREATE, DELETE, GET, uploadInput } from '../support/operations.js';
import { ALL_PERMISSIONS, TEST_AUDIENCE, TEST_ISSUER, TestIssuer } from '../support/test-issuer.js';
import { closedPort } from '../support/infra.js';
import { postGraphQLWithHeaders, startTestService, type TestService } from '../support/test-service.js';

const VALID_CLAIMS = { type: 'access', permissions: ALL_PERMISSIONS };

/** A token that would pass in every respect but the algorithm: HMAC with a shared secret. */
function hs256Token(): Promise<string> {
  return new SignJWT(VALID_CLAIMS)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('mallory')
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs256'));
}

function unsignedToken(): string {
  return new UnsecuredJWT(VALID_CLAIMS).setSubject('mallory').setIssuer(TEST_ISSUER).setAudience(TEST_AUDIENCE).setExpirationTime('10m').encode();
}

/** The service's JWKS refetch cooldown in these tests (JWT_JWKS_REFETCH_COOLDOWN_SECONDS). */
const COOLDOWN_SECONDS = 1;

describe('authentication and permissions', () => {
  let svc: TestService;
  // Holds keys the service's issuer never published.
  const forger = new TestIssuer();
  before(async () => {
    svc = await startTestService({ JWT_JWKS_REFETCH_COOLDOWN_SECONDS: String(COOLDOWN_SECONDS) });
    await forger.rotateKey();
  });
  after(() => svc.stop());

  const rejected: [string, RegExp, () => Promise<string | null>][] = [
    ['no Authorization header', /Authorization: Bearer <JWT>/, async () => null],
    ['a garbage token', /malformed/, async () => 'not-a-jwt'],
    ['a token signed by another key under a published kid', /signature is invalid/, async () => forger.token({ kid: decodeProtectedHeader(await svc.token()).kid })],
    ['a token signed by a key the issuer does not publish', /does not publish/, async () => forger.token({ kid: 'unpublished-key' })],
    ['an expired token', /expired/, () => svc.issuer.token({ expiresInSeconds: -60 })],
    ['an HS256 token', /only RS256/, hs256Token],
    ['an unsigned (alg "none") token', /only RS256/, async () => unsignedToken()],
    ['a token without permissions', /"permissions" claim/, () => svc.issuer.token({ claims: { permissions: undefined } })],
    ['a token of type "refresh"', /"type" claim/, () => svc.issuer.token({ type: 'refresh' })],
    ['a token from another issuer', /"iss" claim/, () => svc.issuer.token({ issuer: 'https://evil.example.com' })],
    ['a token for another audience', /"aud" claim/, () => svc.issuer.token({ audience: 'some-other-service' })],
  ];
  for (const [what, reason, makeToken] of rejected) {
    test(`${what} is UNAUTHENTICATED, saying why, and writes no row`, async () => {
      const rowsBefore = await countAssets(svc.db);
      const response = await svc.gql(CREATE, { input: uploadInput() }, await makeToken());
      assert.match(errorOf(response, 'UNAUTHENTICATED').message, reason);
      assert.equal(response.data, null);
      assert.equal(response.status, 401);
      assert.equal(await countAssets(svc.db), rowsBefore);
    });
  }

  // SPEC §4: every GraphQL call, also one that reads no asset.
  for (const [what, query] of [['__typename', '{ __typename }'], ['introspection', '{ __schema { queryType { name } } }'], ["a gateway's _service", '{ _service { sdl } }']]) {
    test(`${what} without a token is UNAUTHENTICATED (HTTP 401, WWW-Authenticate: Bearer) and answers nothing; with one it answers`, async () => {
      const refused = await postGraphQLWithHeaders(svc.url, query!, {}, null);
      errorOf(refused, 'UNAUTHENTICATED');
      assert.deepEqual([refused.status, refused.data], [401, null]);
      assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
      const answered = await svc.gql(query!, {}, await svc.token('gateway', []));
      assert.equal(answered.errors, undefined, JSON.stringify(answered.errors));
      assert.ok(answered.data);
    });
  }

  test('a query that does not parse or validate is UNAUTHENTICATED without a token: no anonymous caller learns about the schema', async () => {
    for (const query of ['{ assett { id } }', '{ asset(id: ']) {
      const refused = await svc.gql(query, {}, null);
      assert.doesNotMatch(errorOf(refused, 'UNAUTHENTICATED').message, /asset/i);
      assert.equal(refused.status, 401);
    }
    assert.match(errorOf(await svc.gql('{ assett { id } }', {}, await svc.token()), 'VALIDATION_ERROR').message, /Did you mean "asset/);
  });

  test('a token that cannot be checked because the issuer keys cannot be fetched is HTTP 503 with Retry-After (retry, not log in again)', async () => {
    // Shares this suite's database and buckets: only the issuer's address differs.
    const keysUnreachable = await startTestService({ JWT_JWKS_URL: `http://127.0.0.1:${await closedPort()}/.well-known/jwks.json` }, { shareWith: svc });
    try {
      const response = await postGraphQLWithHeaders(keysUnreachable.url, '{ __typename }', {}, await keysUnreachable.token());
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '5');
      const error = response.errors![0]!;
      assert.deepEqual([error.extensions.code, error.extensions.retryAfterSeconds], ['UNAUTHENTICATED', 5]);
      assert.match(error.message, /JWT_JWKS_URL\) could not be fetched; retry/);
    } finally {
      await keysUnreachable.stop();
    }
  });

  test('a view-only token cannot create an upload (FORBIDDEN, no row written)', async () => {
    const rowsBefore = await countAssets(svc.db);
    const error = errorOf(await svc.gql(CREATE, { input: uploadInput() }, await svc.token('viewer', [PERMISSIONS.view])), 'FORBIDDEN');
    assert.equal(error.extensions.requiredPermission, PERMISSIONS.upload);
    assert.equal(await countAssets(svc.db), rowsBefore);
  });

  test('an upload-only token cannot read an asset, not even its own (FORBIDDEN)', async () => {
    const asset = await createUpload(svc, await svc.token('uploader'), uploadInput());
    const error = errorOf(await svc.gql(GET, { id: asset.id }, await svc.token('uploader', [PERMISSIONS.upload])), 'FORBIDDEN');
    assert.equal(error.extensions.requiredPermission, PERMISSIONS.view);
  });

  test("the owner's view-only token sees its PENDING upload without uploadUrl or uploadHeaders: a URL that writes needs the upload permission", async () => {
    const asset = await createUpload(svc, await svc.token('reader-writer'), uploadInput());
    const seen = (await svc.gql(GET, { id: asset.id }, await svc.token('reader-writer', [PERMISSIONS.view]))).data!.asset;
    assert.deepEqual({ status: seen.status, uploadUrl: seen.uploadUrl, uploadHeaders: seen.uploadHeaders }, { status: 'PENDING', uploadUrl: null, uploadHeaders: null });
  });

  test('an upload-only token confirms its uploads READY, with the public URL anyone may GET but no presigned downloadUrl: reading private bytes needs the view permission', async () => {
    const uploadOnly = await svc.token('widget', [PERMISSIONS.upload]);
    const DELIVERY = 'mutation($id: ID!) { confirmAssetUpload(input: { assetId: $id }) { status visibility publicUrl downloadUrl } }';
    const png = fixture('image.png');
    const uploads: [string, Record<string, unknown>, Uint8Array | string][] = [
      ['group-assets', { mimeType: 'image/png', filename: 'logo.png', sizeBytes: png.length }, png],
      ['attachments', {}, 'hello world'],
    ];
    for (const [namespace, input, body] of uploads) {
      const asset = await uploadedAsset(svc, uploadOnly, uploadInput({ namespace, ...input }), body);
      const confirmed = await svc.gql(DELIVERY, { id: asset.id }, uploadOnly);
      assert.equal(confirmed.errors, undefined, JSON.stringify(confirmed.errors));
      const { publicUrl, ...rest } = confirmed.data!.confirmAssetUpload;
      assert.deepEqual(rest, { status: 'READY', visibility: namespace === 'group-assets' ? 'PUBLIC' : 'PRIVATE', downloadUrl: null });
      assert.equal(publicUrl === null, namespace === 'attachments', `publicUrl ${publicUrl} of a ${namespace} asset`);
    }
  });

  test('a token without the delete permission cannot delete its own asset (FORBIDDEN), which stays READY', async () => {
    const owner = await svc.token('keeper');
    const asset = await readyAsset(svc, owner, uploadInput(), 'hello world');
    const withoutDelete = await svc.token('keeper', [PERMISSIONS.view, PERMISSIONS.upload]);
    const error = errorOf(await svc.gql(DELETE, { id: asset.id }, withoutDelete), 'FORBIDDEN');
    assert.equal(error.extensions.requiredPermission, PERMISSIONS.delete);
    assert.equal((await svc.gql(GET, { id: asset.id }, owner)).data!.asset.status, 'READY');
  });

  test('a service token (type "service") uploads as its subject', async () => {
    const token = await svc.issuer.token({ sub: 'thumbnail-job', type: 'service' });
    const asset = await createUpload(svc, token, uploadInput());
    assert.equal(asset.ownerId, 'thumbnail-job');
  });

  test("after the issuer rotates its key, tokens signed with the new key are accepted, and the old key's still are", async () => {
    const oldKeyToken = await svc.token('rotating-user');
    await createUpload(svc, oldKeyToken, uploadInput());
    await sleep(COOLDOWN_SECONDS * 1000 + 100);
    const fetchesBefore = svc.issuer.jwksRequests;
    const newKid = await svc.issuer.rotateKey();
    const newKeyToken = await svc.token('rotating-user');
    assert.equal(decodeProtectedHeader(newKeyToken).kid, newKid);
    await createUpload(svc, newKeyToken, uploadInput());
    assert.equal(svc.issuer.jwksRequests, fetchesBefore + 1, 'the unknown kid made the service fetch the keys again');
    await createUpload(svc, await svc.issuer.token({ sub: 'rotating-user', kid: decodeProtectedHeader(oldKeyToken).kid }), uploadInput());
  });
});
