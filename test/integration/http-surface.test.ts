// What operators, gateways, browsers and developers reach over HTTP besides the asset operations: health
// probes, the federation SDL and entity lookup, GraphiQL, CORS, and error codes on every GraphQL error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'graphql';
import { MAX_LOOKUPS } from '../../src/graphql/operation-limits.js';
import { capturedLogger } from '../support/captured-logs.js';
import { createUpload, errorOf } from '../support/flows.js';
import { uploadInput } from '../support/operations.js';
import { postGraphQL, startTestService, type GraphQLResponse, type TestService } from '../support/test-service.js';

// As a federation gateway asks: the representations in one variable.
const ENTITY = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Asset { id ownerId status } } }`;
const representationsOf = (id: string) => ({ representations: [{ __typename: 'Asset', id }] });

const APP_ORIGIN = 'https://app.example.com';

/** A browser's CORS preflight for a GraphQL POST from `origin`: the origin it may call from, if any. */
async function preflightAllows(url: string, origin: string): Promise<string | null> {
  const res = await fetch(`${url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
  assert.ok(res.status < 300, `preflight answered ${res.status}`);
  return res.headers.get('access-control-allow-origin');
}

describe('the HTTP surface', () => {
  let svc: TestService;
  const logs = capturedLogger('warn');
  /** Lines the service logged at error level or worse. */
  const serviceErrors = () => logs.lines().filter((line) => line.level >= 50).length;
  before(async () => {
    svc = await startTestService({ ASSET_CORS_ALLOWED_ORIGINS: `${APP_ORIGIN}, https://admin.example.com` }, { logger: logs.logger });
  });
  after(() => svc.stop());

  for (const path of ['/health', '/health/ready']) {
    test(`GET ${path} is 200 with the database, storage and issuer keys checks up`, async () => {
      const res = await fetch(`${svc.url}${path}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok', checks: { database: { status: 'up' }, storage: { status: 'up' }, issuerKeys: { status: 'up' } } });
    });
  }

  test('GET /health/live is 200', async () => {
    const res = await fetch(`${svc.url}/health/live`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('GET /graphiql serves the GraphiQL page', async () => {
    const res = await fetch(`${svc.url}/graphiql`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await res.text(), /graphiql/i);
  });

  test('the federation SDL declares Asset as an entity keyed by id, to a gateway with a token of its own', async () => {
    const response = await postGraphQL(svc.url, '{ _service { sdl } }', {}, await svc.token('gateway', []));
    assert.equal(response.errors, undefined, JSON.stringify(response.errors));
    const sdl = response.data!._service.sdl as string;
    assert.match(sdl, /type Asset @key\(fields: "id"\)/);
    assert.match(sdl, /createAssetUpload\(input: CreateAssetUploadInput!\): Asset!/);
  });

  test("a gateway's entity lookup resolves an Asset for its owner, and null for anyone else (PRIVATE)", async () => {
    const asset = await createUpload(svc, await svc.token('entity-owner'), uploadInput());
    // Twice: from its second call on, Mercurius runs a query compiled by graphql-jit.
    for (const _call of [1, 2]) {
      const own = await svc.gql(ENTITY, representationsOf(asset.id), await svc.token('entity-owner'));
      assert.deepEqual(own.data!._entities, [{ id: asset.id, ownerId: 'entity-owner', status: 'PENDING' }]);
    }
    const other = await svc.gql(ENTITY, representationsOf(asset.id), await svc.token('entity-stranger'));
    assert.deepEqual(other.data!._entities, [null]);
  });

  for (const [what, representation] of [
    ['a type this service does not have', { __typename: 'Nope', id: 'x' }],
    ['a bare string', 'str'],
    ['an Asset without its id', { __typename: 'Asset' }],
    ['an Asset whose id is a number', { __typename: 'Asset', id: 7 }],
  ] as const) {
    test(`an entity lookup of ${what} is a VALIDATION_ERROR saying what a representation is, and logs no error`, async () => {
      const errorsBefore = serviceErrors();
      const response = await svc.gql(ENTITY, { representations: [representation] }, await svc.token('gateway'));
      assert.match(errorOf(response, 'VALIDATION_ERROR').message, /^An _entities representation must be \{"__typename": "Asset", "id": "<asset id>"\}, sent as the variable of _entities\(representations: \$representations\) as gateways do: Asset is the only entity this service resolves\.$/);
      assert.equal(serviceErrors(), errorsBefore, 'a gateway mistake is not a service error');
    });
  }

  test('an entity lookup of more representations than one page of assets is refused before any is looked up', async () => {
    const errorsBefore = serviceErrors();
    const representations = (count: number) => ({ representations: Array.from({ length: count }, () => ({ __typename: 'Asset', id: '01936b2e-0000-7000-8000-000000000000' })) });
    const full = await svc.gql(ENTITY, representations(100), await svc.token('gateway'));
    assert.equal(full.data!._entities.length, 100, JSON.stringify(full.errors));
    const over = await svc.gql(ENTITY, representations(101), await svc.token('gateway'));
    assert.equal(errorOf(over, 'VALIDATION_ERROR').message, '_entities takes at most 100 representations per request (got 101): send them in several requests.');
    assert.equal(serviceErrors(), errorsBefore);
  });

  test('an entity lookup without a token is UNAUTHENTICATED', async () => {
    const asset = await createUpload(svc, await svc.token('entity-owner'), uploadInput());
    errorOf(await svc.gql(ENTITY, representationsOf(asset.id), null), 'UNAUTHENTICATED');
  });

  for (const [what, query, message] of [
    ['an unknown field', '{ nope }', /Cannot query field "nope"/],
    ['a syntax error', '{ asset(id: "x") { id ', /Syntax Error/],
    ['a missing required variable', 'query($id: ID!) { asset(id: $id) { id } }', /"\$id" of required type "ID!" was not provided/],
  ] as const) {
    test(`${what} is a VALIDATION_ERROR (HTTP 400) that says what is wrong`, async () => {
      const response = await svc.gql(query, {}, await svc.token('query-author'));
      assert.equal(response.status, 400);
      assert.match(errorOf(response, 'VALIDATION_ERROR').message, message);
    });
  }

  /** A raw POST /graphql, for bodies postGraphQL would never send. */
  async function rawPost(init: { body?: string; contentType?: string; token?: string }) {
    const headers: Record<string, string> = {};
    if (init.contentType) headers['content-type'] = init.contentType;
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const res = await fetch(`${svc.url}/graphql`, { method: 'POST', headers, body: init.body });
    return { status: res.status, ...((await res.json()) as Omit<GraphQLResponse, 'status'>) } as GraphQLResponse & { errors: NonNullable<GraphQLResponse['errors']> };
  }

  const JSON_TYPE = 'application/json';
  for (const [what, request, status, message] of [
    ['a body that is not JSON', { body: '{"query":', contentType: JSON_TYPE }, 400, /^The request body is not valid JSON: send \{"query": "\.\.\.", "variables": \{\.\.\.\}\}\.$/],
    ['an empty body', { contentType: JSON_TYPE }, 400, /^The request body is empty: send \{"query"/],
    ['a body without a query', { body: '{}', contentType: JSON_TYPE }, 400, /^The request has no "query": send \{"query"/],
    ['a form-encoded body (curl -d without a Content-Type)', { body: '{"query":"{__typename}"}', contentType: 'application/x-www-form-urlencoded' }, 415, /^Send the GraphQL request as JSON with "Content-Type: application\/json" \(got application\/x-www-form-urlencoded\)\.$/],
    ['a text/plain body', { body: '{"query":"{__typename}"}', contentType: 'text/plain' }, 415, /^Send the GraphQL request as JSON with "Content-Type: application\/json" \(got text\/plain\)\.$/],
    ['a JSON array (a batch)', { body: '[{"query":"{__typename}"}]', contentType: JSON_TYPE }, 400, /^Send one GraphQL request as a JSON object, \{"query".*: not a list of requests \(batches are not accepted\) nor a bare value\.$/],
    ['a bare JSON string', { body: '"{__typename}"', contentType: JSON_TYPE }, 400, /^Send one GraphQL request as a JSON object, \{"query".*: not a list of requests \(batches are not accepted\) nor a bare value\.$/],
    ['a request whose "variables" is a string', { body: JSON.stringify({ query: '{ __typename }', variables: '{"id":1}' }), contentType: JSON_TYPE }, 400, /^The request is not shaped as a GraphQL request \(body\/variables must be object,null\): send \{"query"/],
    ['a body over 1 MiB', { body: JSON.stringify({ query: `{ __typename } #${'x'.repeat(1024 * 1024)}` }), contentType: JSON_TYPE }, 413, /^The request body is larger than 1 MiB/],
  ] as const) {
    test(`${what} is a VALIDATION_ERROR (HTTP ${status}) saying what to send, and logs no error`, async () => {
      const errorsBefore = serviceErrors();
      const response = await rawPost({ ...request, token: await svc.token('careless-client') });
      assert.equal(response.status, status);
      assert.equal(response.errors.length, 1);
      assert.equal(response.errors[0]!.extensions.code, 'VALIDATION_ERROR');
      assert.match(response.errors[0]!.message, message);
      assert.equal(serviceErrors(), errorsBefore, 'a client mistake is not a service error');
    });

    test(`${what} without a token is UNAUTHENTICATED (HTTP 401): the token is checked before the body`, async () => {
      const response = await rawPost(request);
      assert.equal(response.status, 401);
      assert.deepEqual(response.errors.map((e) => e.extensions.code), ['UNAUTHENTICATED']);
    });
  }

  test('a query sent as the body itself, with "Content-Type: application/graphql", is answered', async () => {
    const { status, ...body } = await rawPost({ body: '{ __typename }', contentType: 'application/graphql', token: await svc.token('plain-query-client') });
    assert.equal(status, 200);
    assert.deepEqual(body, { data: { __typename: 'Query' } });
  });

  for (const [what, search, message] of [
    ['a GET without a query', '', /^The request has no "query": add \?query=<URL-encoded GraphQL>, or POST it as JSON\.$/],
    ['a GET whose variables are not JSON', `?query=${encodeURIComponent('{ __typename }')}&variables=%7Bnope`, /^The "variables" or "extensions" parameter is not valid JSON: URL-encode a JSON object\.$/],
  ] as const) {
    test(`${what} is a VALIDATION_ERROR (HTTP 400) saying what to send, and logs no error`, async () => {
      const errorsBefore = serviceErrors();
      const res = await fetch(`${svc.url}/graphql${search}`, { headers: { authorization: `Bearer ${await svc.token('get-client')}` } });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      assert.deepEqual(body.errors.map((e) => e.extensions.code), ['VALIDATION_ERROR']);
      assert.match(body.errors[0]!.message, message);
      assert.equal(serviceErrors(), errorsBefore);
    });
  }

  test('every response carries the request id, echoing a caller-supplied x-request-id', async () => {
    const res = await fetch(`${svc.url}/health/live`, { headers: { 'x-request-id': 'trace-me-123' } });
    assert.equal(res.headers.get('x-request-id'), 'trace-me-123');
    const generated = await fetch(`${svc.url}/health/live`);
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('browsers may call the API from the origins of ASSET_CORS_ALLOWED_ORIGINS, and from no other', async () => {
    assert.equal(await preflightAllows(svc.url, APP_ORIGIN), APP_ORIGIN);
    assert.equal(await preflightAllows(svc.url, 'https://admin.example.com'), 'https://admin.example.com');
    assert.equal(await preflightAllows(svc.url, 'https://evil.example.net'), null);
  });

  test('with ASSET_CORS_ALLOWED_ORIGINS=* (the local stack) browsers may call the API from any origin', async (t) => {
    const open = await startTestService({ ASSET_CORS_ALLOWED_ORIGINS: '*' }, { shareWith: svc });
    t.after(() => open.stop());
    assert.equal(await preflightAllows(open.url, 'https://anywhere.example.org'), '*');
  });

  test('an operation of 1000 aliased asset lookups is a VALIDATION_ERROR (HTTP 400) naming the limit, answered at once and without reading an asset', async () => {
    const token = await svc.token('alias-flooder');
    const asset = await createUpload(svc, token, uploadInput());
    const query = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: asset(id: "${asset.id}") { id uploadUrl }`).join(' ')} }`;
    const errorsBefore = serviceErrors();
    const started = performance.now();
    const response = await svc.gql(query, {}, token);
    const elapsedMs = performance.now() - started;
    assert.equal(response.status, 400);
    assert.equal(
      errorOf(response, 'VALIDATION_ERROR').message,
      `This operation makes 1000 asset lookups (asset, assets, _entities); at most ${MAX_LOOKUPS} per request: split it into several requests, or page with assets(first, after).`,
    );
    assert.equal(response.data, null, 'nothing ran: no lookup answered');
    assert.ok(elapsedMs < 2000, `answered in ${Math.round(elapsedMs)} ms`);
    assert.equal(serviceErrors(), errorsBefore, 'a refused query is not a service error');
  });

  // Mercurius takes a query text that is not GraphQL but parses as JSON for a ready-made document (AST).
  test('a query sent as a JSON document (AST) instead of GraphQL text is a VALIDATION_ERROR, and nothing runs, whatever it asks', async () => {
    const token = await svc.token('ast-sender');
    await createUpload(svc, token, uploadInput());
    const page = parse('{ assets(first: 100) { edges { node { id } } } }', { noLocation: true });
    // What the parser never gives: a page size that is no integer, which counted as no page and ran as 100.
    const forged = JSON.stringify(page).replace('"value":"100"', '"value":"100x"');
    const errorsBefore = serviceErrors();
    for (const query of [JSON.stringify(page), forged]) {
      const response = await svc.gql(query, {}, token);
      assert.equal(response.status, 400);
      assert.match(errorOf(response, 'VALIDATION_ERROR').message, /^The query is not GraphQL text: send the operation as GraphQL in "query" \(JSON\) or as the whole body \(Content-Type application\/graphql\); a JSON document \(AST\) is not accepted\.$/);
      assert.equal(response.data, null, 'nothing ran');
    }
    assert.equal(serviceErrors(), errorsBefore, 'a refused query is not a service error');
  });

  test('a JSON body sent as application/graphql is a VALIDATION_ERROR saying what to send, not an INTERNAL error', async () => {
    const errorsBefore = serviceErrors();
    const response = await rawPost({ body: JSON.stringify({ query: '{ __typename }' }), contentType: 'application/graphql', token: await svc.token('content-type-mixer') });
    assert.equal(response.status, 400);
    assert.match(errorOf(response, 'VALIDATION_ERROR').message, /^The query is not GraphQL text/);
    assert.equal(serviceErrors(), errorsBefore, 'not logged as a service error');
  });
});
