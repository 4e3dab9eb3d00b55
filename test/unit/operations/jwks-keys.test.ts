import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jwksHasRs256Key } from '../../../src/operations/doctor/jwks-keys.js';
import { jsonServer, type JsonServer } from '../../support/json-server.js';

const RS256_KEY = { kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'k1', alg: 'RS256', use: 'sig' };

/** What the probe says of a JWKS endpoint answering `status` with `body`. */
describe('jwksHasRs256Key', () => {
  let server: JsonServer;
  let answer: { status: number; body: string };
  const url = () => `${server.url}/jwks.json`;
  before(async () => {
    server = await jsonServer(() => answer);
  });
  after(() => server.close());

  async function probe(status: number, body: unknown) {
    answer = { status, body: typeof body === 'string' ? body : JSON.stringify(body) };
    return jwksHasRs256Key(url(), 2_000);
  }

  test('passes a JWKS listing an RS256 signing key, counting it', async () => {
    assert.deepEqual(await probe(200, { keys: [RS256_KEY] }), { status: 'pass', message: `1 RS256 key(s) at ${url()}` });
  });

  for (const [what, body] of [
    ['null', null],
    ['a JSON array', []],
    ['"keys" that is not a list', { keys: {} }],
    ['an HTML page', '<html>login</html>'],
  ] as const) {
    test(`fails ${what} as not a JWKS, instead of throwing`, async () => {
      const outcome = await probe(200, body);
      assert.equal(outcome.status, 'fail');
      assert.match(outcome.message, /does not answer with a JWKS \(JSON with a "keys" list\)\. JWT_JWKS_URL must point at/);
    });
  }

  test('fails a list of keys without an RS256 signing key, skipping entries that are not objects', async () => {
    const outcome = await probe(200, { keys: [null, 7, { ...RS256_KEY, alg: 'ES256' }] });
    assert.equal(outcome.status, 'fail');
    assert.match(outcome.message, /lists 1 key\(s\), none of them an RS256 signing key/);
  });

  test('fails an HTTP error, naming the status', async () => {
    assert.match((await probe(500, { keys: [RS256_KEY] })).message, /answered HTTP 500\. JWT_JWKS_URL must point at/);
  });

  test('names the URL without its query, where a token for the issuer may be, whether it passes or fails', async () => {
    const withToken = `${server.url}/jwks.json?token=S3CRET-QUERY`;
    answer = { status: 200, body: JSON.stringify({ keys: [RS256_KEY] }) };
    assert.deepEqual(await jwksHasRs256Key(withToken, 2_000), { status: 'pass', message: `1 RS256 key(s) at ${server.url}/jwks.json?…` });
    answer = { status: 404, body: '{}' };
    const failed = await jwksHasRs256Key(withToken, 2_000);
    assert.equal(failed.status, 'fail');
    assert.ok(failed.message.startsWith(`${server.url}/jwks.json?… answered HTTP 404.`), failed.message);
    const unreachable = await jwksHasRs256Key('http://127.0.0.1:1/jwks.json?token=S3CRET-QUERY', 2_000);
    assert.equal(unreachable.status, 'fail');
    assert.doesNotMatch(unreachable.message, /S3CRET/);
  });

  test('gives up when the caller cancels, as a closing service does, even where the keys are fine', async () => {
    answer = { status: 200, body: JSON.stringify({ keys: [RS256_KEY] }) };
    assert.equal((await jwksHasRs256Key(url(), 2_000, AbortSignal.abort())).status, 'fail');
    assert.equal((await jwksHasRs256Key(url(), 2_000, new AbortController().signal)).status, 'pass', 'not cancelled: the same keys pass');
  });
});
