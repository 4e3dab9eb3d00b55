// AssetsClient's other calls and its error mapping, against a fake service.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as client from '../../../packages/client/src/index.js';
import { AssetsClient, AssetsError, NotFoundError, StateError } from '../../../packages/client/src/index.js';
import type { ErrorCode } from '../../../src/domain/errors.js';
import { asset, ASSET_ID, connectionRefused, data, FakeService, graphQLError } from './fake-service.js';

function clientOf(service: FakeService, token: client.TokenSource = 'token-1') {
  return new AssetsClient({ url: 'https://assets.test', token, fetch: service.fetch, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
}

// The client knows exactly the service's codes: this line stops compiling when they drift apart.
const SAME_CODES: [ErrorCode] extends [client.ServiceErrorCode] ? ([client.ServiceErrorCode] extends [ErrorCode] ? true : never) : never = true;

const ERROR_CLASSES = {
  UNAUTHENTICATED: client.UnauthenticatedError,
  FORBIDDEN: client.ForbiddenError,
  VALIDATION_ERROR: client.ValidationError,
  NOT_FOUND: client.NotFoundError,
  STATE_ERROR: client.StateError,
  CONFLICT: client.ConflictError,
  INTEGRITY_ERROR: client.IntegrityError,
  RATE_LIMIT_EXCEEDED: client.RateLimitError,
  QUOTA_EXCEEDED: client.QuotaExceededError,
  INTERNAL: client.InternalError,
} as const satisfies Record<Exclude<client.ServiceErrorCode, 'STORAGE_UNAVAILABLE' | 'DATABASE_UNAVAILABLE' | 'REDIS_UNAVAILABLE'>, unknown>;

describe('AssetsClient errors', () => {
  test('the client knows exactly the error codes the service sends (the compiler checks SAME_CODES)', () => {
    assert.equal(SAME_CODES, true);
  });

  for (const [code, ErrorClass] of Object.entries(ERROR_CLASSES)) {
    test(`${code} is thrown as ${ErrorClass.name}, with the service's message and extensions, after one attempt`, async () => {
      const service = new FakeService().answer('Asset', graphQLError(code, `the ${code} message`, { field: 'id' }));
      const error = await clientOf(service).get(ASSET_ID).catch((e: unknown) => e);
      assert.ok(error instanceof ErrorClass, String(error));
      assert.ok(error instanceof AssetsError);
      assert.equal(error.code, code);
      assert.equal(error.message, `the ${code} message`);
      assert.equal(error.details.field, 'id');
      assert.equal(error.transient, false);
      assert.equal(service.requests.length, 1);
    });
  }

  test('a code this client does not know stays an AssetsError with that code', async () => {
    const service = new FakeService().answer('Asset', graphQLError('TEAPOT', 'short and stout'));
    const error = await clientOf(service).get(ASSET_ID).catch((e: unknown) => e);
    assert.ok(error instanceof AssetsError && error.constructor === AssetsError, String(error));
    assert.equal(error.code, 'TEAPOT');
  });

  test('STORAGE_UNAVAILABLE, DATABASE_UNAVAILABLE and REDIS_UNAVAILABLE are retried, then thrown as their own transient classes', async () => {
    const transient = [
      ['STORAGE_UNAVAILABLE', client.StorageUnavailableError],
      ['DATABASE_UNAVAILABLE', client.DatabaseUnavailableError],
      ['REDIS_UNAVAILABLE', client.RedisUnavailableError],
    ] as const;
    for (const [code, ErrorClass] of transient) {
      const service = new FakeService().answer('Asset', ...Array.from({ length: 3 }, () => graphQLError(code)));
      const error = await clientOf(service).get(ASSET_ID).catch((e: unknown) => e);
      assert.ok(error instanceof ErrorClass && error.transient, String(error));
      assert.equal(service.requests.length, 3);
    }
  });

  test('a non-GraphQL 4xx answer says the url is probably wrong, and is not retried', async () => {
    const service = new FakeService().answer('Asset', new Response('<html>Not Found</html>', { status: 404 }));
    const error = await clientOf(service).get(ASSET_ID).catch((e: unknown) => e);
    assert.ok(error instanceof AssetsError, String(error));
    assert.match(error.message, /HTTP 404 without a GraphQL result; check that the client's url/);
    assert.equal(service.requests.length, 1);
  });
});

describe('AssetsClient reads and deletes', () => {
  test('get returns the asset, or null when the service answers null, and asks for a fresh token each time', async () => {
    const service = new FakeService().answer('Asset', data({ asset: asset({ status: 'READY' }) }), data({ asset: null }));
    let issued = 0;
    const assets = clientOf(service, async () => `token-${++issued}`);
    assert.equal((await assets.get(ASSET_ID))?.status, 'READY');
    assert.equal(await assets.get(ASSET_ID), null);
    assert.deepEqual(service.requests.map((r) => r.headers.authorization), ['Bearer token-1', 'Bearer token-2']);
  });

  test('list sends the filters and returns the nodes with the page info', async () => {
    const page = { edges: [{ node: asset({ id: 'a2' }) }, { node: asset({ id: 'a1' }) }], pageInfo: { hasNextPage: true, endCursor: 'c2' } };
    const service = new FakeService().answer('Assets', data({ assets: page }));
    const listed = await clientOf(service).list({ namespace: 'attachments', status: 'READY', includePublic: true, first: 2, after: 'c0' });
    assert.deepEqual(service.requests[0]!.variables, { namespace: 'attachments', status: 'READY', includePublic: true, first: 2, after: 'c0' });
    assert.deepEqual(listed.assets.map((a) => a.id), ['a2', 'a1']);
    assert.equal(listed.hasNextPage, true);
    assert.equal(listed.endCursor, 'c2');
  });

  test('delete is retried after a lost answer, and a NOT_FOUND on the retry means the first attempt went through', async () => {
    const service = new FakeService().answer('DeleteAsset', connectionRefused(), graphQLError('NOT_FOUND'));
    await clientOf(service).delete(ASSET_ID);
    assert.equal(service.calls('DeleteAsset').length, 2);
  });

  test('delete of an asset that is not there on the first attempt is a NotFoundError', async () => {
    const service = new FakeService().answer('DeleteAsset', graphQLError('NOT_FOUND'));
    await assert.rejects(clientOf(service).delete(ASSET_ID), NotFoundError);
  });

  test('downloadUrl gives the public URL or the presigned one with the asked lifetime, and says why there is none', async () => {
    const service = new FakeService().answer(
      'AssetDownloadUrl',
      data({ asset: { status: 'READY', publicUrl: 'https://cdn.test/logo.png', downloadUrl: null } }),
      data({ asset: { status: 'READY', publicUrl: null, downloadUrl: 'https://storage.test/signed' } }),
      data({ asset: { status: 'PENDING', publicUrl: null, downloadUrl: null } }),
      data({ asset: null }),
    );
    const assets = clientOf(service);
    assert.equal(await assets.downloadUrl(ASSET_ID), 'https://cdn.test/logo.png');
    assert.equal(await assets.downloadUrl(ASSET_ID, { ttlSeconds: 60 }), 'https://storage.test/signed');
    assert.deepEqual(service.requests.map((r) => r.variables.ttlSeconds), [3600, 60]);
    await assert.rejects(assets.downloadUrl(ASSET_ID), (e) => e instanceof StateError && /PENDING/.test(e.message));
    await assert.rejects(assets.downloadUrl(ASSET_ID), NotFoundError);
  });
});
