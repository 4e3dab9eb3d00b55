import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { AssetError } from '../../../src/domain/errors.js';
import { ISSUER_RETRY_AFTER_SECONDS } from '../../../src/auth/issuer-unavailable.js';
import { createTokenVerifier, type TokenVerifierOptions } from '../../../src/auth/token-verifier.js';
import { ISSUER_OUTAGE_GRACE_MS, REVERIFY_AFTER_MS } from '../../../src/auth/verified-token-cache.js';
import { AUDIENCE, ISSUER, LocalIssuer } from './local-issuer.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rejectsUnauthenticated(message: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof AssetError, `expected AssetError, got ${String(error)}`);
    assert.equal(error.code, 'UNAUTHENTICATED');
    assert.match(error.message, message);
    return true;
  };
}

describe('createTokenVerifier', () => {
  let issuer: LocalIssuer;
  let options: TokenVerifierOptions;

  before(async () => {
    issuer = await new LocalIssuer().start();
    options = { jwksUrl: issuer.jwksUrl, issuer: ISSUER, audience: AUDIENCE };
  });
  after(() => issuer.stop());

  test('turns a valid token into a principal owned by its subject, with its permissions', async () => {
    const token = await issuer.token({ sub: 'user-42', claims: { type: 'service', permissions: ['assets:asset:view', 'assets:asset:upload'] } });
    const principal = await createTokenVerifier(options).verify(`Bearer ${token}`);
    assert.equal(principal.ownerId, 'user-42');
    assert.equal(principal.type, 'service');
    assert.deepEqual([...principal.permissions].sort(), ['assets:asset:upload', 'assets:asset:view']);
  });

  test('accepts the scheme name in any case', async () => {
    const principal = await createTokenVerifier(options).verify(`bearer ${await issuer.token()}`);
    assert.equal(principal.ownerId, 'user-1');
  });

  for (const [what, header] of [
    ['a missing header', undefined],
    ['an empty header', ''],
    ['a Basic header', 'Basic dXNlcjpwYXNz'],
    ['"Bearer" without a token', 'Bearer '],
    ['a token with spaces in it', 'Bearer abc def'],
  ] as const) {
    test(`rejects ${what}, asking for "Authorization: Bearer <JWT>"`, async () => {
      await assert.rejects(createTokenVerifier(options).verify(header), rejectsUnauthenticated(/Authorization: Bearer <JWT>/));
    });
  }

  test('rejects a garbage token as malformed', async () => {
    await assert.rejects(createTokenVerifier(options).verify('Bearer not-a-jwt'), rejectsUnauthenticated(/malformed/));
    await assert.rejects(createTokenVerifier(options).verify('Bearer a.b.c'), rejectsUnauthenticated(/malformed/));
  });

  test('rejects an expired token, saying so', async () => {
    const token = await issuer.token({ expiresAt: Math.floor(Date.now() / 1000) - 60 });
    await assert.rejects(createTokenVerifier(options).verify(`Bearer ${token}`), rejectsUnauthenticated(/expired/));
  });

  test('rejects a token from another issuer, naming its issuer, the one accepted and JWT_ISSUER', async () => {
    const token = await issuer.token({ issuer: 'https://other' });
    await assert.rejects(createTokenVerifier(options).verify(`Bearer ${token}`), {
      message: 'The token\'s "iss" claim is "https://other" but this service accepts only tokens issued by "https://security.test" (JWT_ISSUER); get a token for this service.',
    });
  });

  test('rejects a token for another audience, naming its audience, the one accepted and JWT_AUDIENCE', async () => {
    const verifier = createTokenVerifier(options);
    await assert.rejects(verifier.verify(`Bearer ${await issuer.token({ audience: 'other-service' })}`), {
      message: 'The token\'s "aud" claim is "other-service" but this service accepts only tokens for the audience "neotool-assets" (JWT_AUDIENCE); get a token for this service.',
    });
    const several = await issuer.token({ claims: { aud: ['a', 'b'] }, audience: null });
    await assert.rejects(verifier.verify(`Bearer ${several}`), rejectsUnauthenticated(/^The token's "aud" claim is \["a","b"\] but this service accepts only tokens for the audience "neotool-assets"/));
  });

  test('rejects a token without the issuer or audience the service requires, naming what it requires', async () => {
    const verifier = createTokenVerifier(options);
    await assert.rejects(verifier.verify(`Bearer ${await issuer.token({ issuer: null })}`), {
      message: 'The token has no "iss" claim but this service accepts only tokens issued by "https://security.test" (JWT_ISSUER); get a token for this service.',
    });
    await assert.rejects(verifier.verify(`Bearer ${await issuer.token({ audience: null })}`), {
      message: 'The token has no "aud" claim but this service accepts only tokens for the audience "neotool-assets" (JWT_AUDIENCE); get a token for this service.',
    });
  });

  test('never shows jose\'s internal reason codes', async () => {
    const verifier = createTokenVerifier(options);
    const tokens = await Promise.all([
      issuer.token({ issuer: 'https://other' }),
      issuer.token({ audience: 'other' }),
      issuer.token({ expiresAt: null }),
      issuer.token({ sub: null }),
      issuer.token({ notBefore: Math.floor(Date.now() / 1000) + 3600 }),
    ]);
    for (const token of tokens) {
      await assert.rejects(verifier.verify(`Bearer ${token}`), (error: Error) => !/check_failed|missing\)|unspecified/.test(error.message));
    }
  });

  test('rejects a token without an expiry, saying tokens must expire', async () => {
    await assert.rejects(createTokenVerifier(options).verify(`Bearer ${await issuer.token({ expiresAt: null })}`), { message: 'The token has no "exp" claim; tokens must expire.' });
  });

  test('rejects a token whose expiry is not a number, saying what it must be', async () => {
    const token = await issuer.token({ expiresAt: null, claims: { exp: 'tomorrow' } });
    await assert.rejects(createTokenVerifier(options).verify(`Bearer ${token}`), {
      message: 'The token\'s "exp" claim is "tomorrow" but must be a number (seconds since 1970-01-01T00:00:00Z).',
    });
  });

  test('rejects a token that is not valid yet, saying from when it is', async () => {
    const notBefore = Math.floor(Date.now() / 1000) + 3600;
    const until = new Date(notBefore * 1000).toISOString();
    await assert.rejects(createTokenVerifier(options).verify(`Bearer ${await issuer.token({ notBefore })}`), {
      message: `The token is not valid yet, until ${until} (its "nbf" claim); use it from then on, or check this machine's clock against the issuer's.`,
    });
  });

  test('rejects a token without a subject, saying it needs one', async () => {
    await assert.rejects(createTokenVerifier(options).verify(`Bearer ${await issuer.token({ sub: null })}`), { message: 'The token has no "sub" claim; get a token for a user or service.' });
  });

  for (const [what, sub, problem] of [
    ['an empty subject', '', 'is empty'],
    ['a subject of 256 characters', 'u'.repeat(256), 'is 256 characters long; at most 255 are allowed'],
    ['a subject with a NUL in it', 'user\u00001', 'contains control characters'],
    // Stored, it would read as "carol\ufffd": another owner's assets.
    ['a subject with an unpaired UTF-16 surrogate', 'carol\ud800', 'contains an unpaired UTF-16 surrogate, which is no character'],
  ] as const) {
    test(`rejects a token with ${what}, saying what is wrong with it`, async () => {
      await assert.rejects(createTokenVerifier(options).verify(`Bearer ${await issuer.token({ sub })}`), {
        message: `The token's "sub" claim ${problem}; get a token for a user or service.`,
      });
    });
  }

  test('rejects a token whose subject is not a string, showing what it is', async () => {
    const token = await issuer.token({ sub: null, claims: { sub: 42 } });
    await assert.rejects(createTokenVerifier(options).verify(`Bearer ${token}`), { message: 'The token\'s "sub" claim is 42 but must be a string; get a token for a user or service.' });
  });

  test('rejects HS256 and unsigned tokens: only RS256 is accepted', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { type: 'access', permissions: [] };
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .setSubject('user-1').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(now + 600)
      .sign(new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs256'));
    const unsigned = new UnsecuredJWT(claims).setSubject('user-1').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(now + 600).encode();
    const verifier = createTokenVerifier(options);
    await assert.rejects(verifier.verify(`Bearer ${hs256}`), rejectsUnauthenticated(/only RS256/));
    await assert.rejects(verifier.verify(`Bearer ${unsigned}`), rejectsUnauthenticated(/only RS256/));
  });

  test('rejects a token signed by a key the issuer does not publish', async () => {
    const stranger = await LocalIssuer.newKey('stranger');
    const verifier = createTokenVerifier(options);
    await assert.rejects(verifier.verify(`Bearer ${await issuer.token({ key: stranger })}`), rejectsUnauthenticated(/key the issuer does not publish/));
    // A forged token reusing a published kid fails on the signature itself.
    await assert.rejects(verifier.verify(`Bearer ${await issuer.token({ key: stranger, kid: 'key-1' })}`), rejectsUnauthenticated(/signature is invalid/));
  });

  for (const [what, claims, message] of [
    ['without a type claim', { type: undefined }, 'The token\'s "type" claim is missing but must be "access" or "service"; get an access or service token.'],
    ['with type "refresh"', { type: 'refresh' }, 'The token\'s "type" claim is "refresh" but must be "access" or "service"; get an access or service token.'],
    ['whose permissions are a string', { permissions: 'assets:asset:view' }, 'The token\'s "permissions" claim is "assets:asset:view" but must be an array of strings.'],
    ['whose permissions hold a number', { permissions: ['assets:asset:view', 7] }, 'The token\'s "permissions" claim holds something other than a string but must be an array of strings.'],
    ['without permissions', { permissions: undefined }, 'The token\'s "permissions" claim is missing but must be an array of strings.'],
  ] as const) {
    test(`rejects a correctly signed token ${what}, saying what the claim holds and must hold`, async () => {
      await assert.rejects(createTokenVerifier(options).verify(`Bearer ${await issuer.token({ claims })}`), { message });
    });
  }

  test('tells the caller to retry when the issuer keys cannot be fetched', async () => {
    const down = await new LocalIssuer().start();
    const jwksUrl = down.jwksUrl;
    const token = await down.token();
    await down.stop();
    await assert.rejects(createTokenVerifier({ jwksUrl }).verify(`Bearer ${token}`), (error: unknown) => {
      rejectsUnauthenticated(/could not be fetched; retry/)(error);
      assert.equal((error as AssetError).details.retryAfterSeconds, ISSUER_RETRY_AFTER_SECONDS);
      return true;
    });
  });
});

describe('createTokenVerifier and key rotation', () => {
  test('accepts a token signed with a newly rotated key once the cooldown allows a JWKS refetch', async () => {
    const issuer = await new LocalIssuer().start();
    try {
      const verifier = createTokenVerifier({ jwksUrl: issuer.jwksUrl, refetchCooldownMs: 100 });
      await verifier.verify(`Bearer ${await issuer.token()}`);
      assert.equal(issuer.requests, 1);
      await issuer.rotate();
      await sleep(150);
      const principal = await verifier.verify(`Bearer ${await issuer.token({ sub: 'after-rotation' })}`);
      assert.equal(principal.ownerId, 'after-rotation');
      assert.equal(issuer.requests, 2);
    } finally {
      await issuer.stop();
    }
  });

  test('refetches the JWKS at most once per cooldown, however many unknown kids arrive', async (t) => {
    const issuer = await new LocalIssuer().start();
    try {
      const stranger = await LocalIssuer.newKey('stranger');
      const unknownKids = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => issuer.token({ key: stranger, kid: `unknown-${i}` })));
      // jose times the cooldown with Date.now(): a clock that only moves when told makes the checks below
      // all fall within one cooldown, however long a loaded machine takes over them. Only Date.now is
      // replaced: the fetches keep their real timers (jose's fetch timeout is an AbortSignal.timeout).
      let now = Date.now();
      t.mock.method(Date, 'now', () => now);
      const verifier = createTokenVerifier({ jwksUrl: issuer.jwksUrl, refetchCooldownMs: 500 });
      await verifier.verify(`Bearer ${await issuer.token()}`);
      now += 600;
      const before = issuer.requests;
      for (const token of unknownKids.slice(0, 5)) {
        await assert.rejects(verifier.verify(`Bearer ${token}`), rejectsUnauthenticated(/does not publish/));
      }
      await Promise.allSettled(unknownKids.slice(5).map((token) => verifier.verify(`Bearer ${token}`)));
      assert.equal(issuer.requests - before, 1);
    } finally {
      await issuer.stop();
    }
  });
});

describe('createTokenVerifier caching', () => {
  test('verifies a token once: repeating it makes no JWKS request and works after the issuer is gone', async () => {
    const issuer = await new LocalIssuer().start();
    // cacheMaxAgeMs 0 makes every signature check fetch the JWKS, so only the token cache can avoid a request.
    const verifier = createTokenVerifier({ jwksUrl: issuer.jwksUrl, cacheMaxAgeMs: 0 });
    const token = await issuer.token({ sub: 'cached-user' });
    const other = await issuer.token({ sub: 'other-user' });
    try {
      await verifier.verify(`Bearer ${token}`);
      const afterFirst = issuer.requests;
      await verifier.verify(`Bearer ${token}`);
      assert.equal(issuer.requests, afterFirst, 'a cached token must not fetch the JWKS');
      await verifier.verify(`Bearer ${other}`);
      assert.equal(issuer.requests, afterFirst + 1, 'an uncached token fetches (proves the cache, not jose, saved the request)');
    } finally {
      await issuer.stop();
    }
    assert.equal((await verifier.verify(`Bearer ${token}`)).ownerId, 'cached-user');
  });

  test('a token verified before keeps working for 15 minutes while the issuer keys cannot be fetched, and a new one gets 503', async (t) => {
    const issuer = await new LocalIssuer().start();
    t.after(() => issuer.stop());
    let now = Date.now();
    const verifier = createTokenVerifier({ jwksUrl: issuer.jwksUrl, cacheMaxAgeMs: 0, now: () => now });
    const known = await issuer.token({ sub: 'known-user' });
    const unknown = await issuer.token({ sub: 'new-user' });
    await verifier.verify(`Bearer ${known}`);
    await issuer.stop();
    now += REVERIFY_AFTER_MS;
    assert.equal((await verifier.verify(`Bearer ${known}`)).ownerId, 'known-user');
    const issuerDown = (error: AssetError) => error.details.retryAfterSeconds === ISSUER_RETRY_AFTER_SECONDS;
    await assert.rejects(verifier.verify(`Bearer ${unknown}`), issuerDown);
    now += ISSUER_OUTAGE_GRACE_MS;
    await assert.rejects(verifier.verify(`Bearer ${known}`), issuerDown, 'after 15 minutes of outage the known token gets 503 too');
  });

  test('a token signed with a key the issuer withdrew is refused within a minute, not at its expiry', async () => {
    const issuer = await new LocalIssuer().start();
    try {
      let now = Date.now();
      const verifier = createTokenVerifier({ jwksUrl: issuer.jwksUrl, cacheMaxAgeMs: 0, now: () => now });
      const token = await issuer.token({ sub: 'soon-revoked' }); // signed with key-1, valid for 10 minutes
      await verifier.verify(`Bearer ${token}`);
      await issuer.rotate();
      issuer.withdraw('key-1');
      now += REVERIFY_AFTER_MS - 1;
      assert.equal((await verifier.verify(`Bearer ${token}`)).ownerId, 'soon-revoked', 'within its minute the verified token is trusted');
      now += 1;
      await assert.rejects(verifier.verify(`Bearer ${token}`), rejectsUnauthenticated(/key the issuer does not publish/));
    } finally {
      await issuer.stop();
    }
  });

  test('concurrent calls with a new token, or one due for its re-check, share one signature verification', async (t) => {
    const issuer = await new LocalIssuer().start();
    t.after(() => issuer.stop());
    let now = Date.now();
    const verifier = createTokenVerifier({ jwksUrl: issuer.jwksUrl, now: () => now });
    const token = await issuer.token({ sub: 'bursty-user' });
    const rsaVerifications = t.mock.method(crypto.subtle, 'verify');
    const burst = async () => (await Promise.all(Array.from({ length: 20 }, () => verifier.verify(`Bearer ${token}`)))).map((p) => p.ownerId);
    assert.deepEqual(await burst(), Array(20).fill('bursty-user'));
    assert.equal(rsaVerifications.mock.callCount(), 1, 'a new token');
    now += REVERIFY_AFTER_MS;
    assert.deepEqual(await burst(), Array(20).fill('bursty-user'));
    assert.equal(rsaVerifications.mock.callCount(), 2, 'a token due for its re-check');
  });

  test('concurrent calls with different tokens are each verified, each getting its own principal', async (t) => {
    const issuer = await new LocalIssuer().start();
    t.after(() => issuer.stop());
    const verifier = createTokenVerifier({ jwksUrl: issuer.jwksUrl });
    const subjects = ['ann', 'ben', 'cem', 'ann', 'ben', 'cem'];
    const tokens = new Map(await Promise.all(['ann', 'ben', 'cem'].map(async (sub) => [sub, await issuer.token({ sub })] as const)));
    const rsaVerifications = t.mock.method(crypto.subtle, 'verify');
    const owners = await Promise.all(subjects.map(async (sub) => (await verifier.verify(`Bearer ${tokens.get(sub)}`)).ownerId));
    assert.deepEqual(owners, subjects);
    assert.equal(rsaVerifications.mock.callCount(), 3, 'one verification per token');
  });

  test('concurrent calls sharing a failed verification all get its error, and the next call checks again', async (t) => {
    const issuer = await new LocalIssuer().start();
    t.after(() => issuer.stop());
    const verifier = createTokenVerifier({ jwksUrl: issuer.jwksUrl });
    const expired = await issuer.token({ sub: 'late-user', expiresAt: Math.floor(Date.now() / 1000) - 60 });
    const rsaVerifications = t.mock.method(crypto.subtle, 'verify');
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => verifier.verify(`Bearer ${expired}`)));
    for (const outcome of outcomes) assert.ok(outcome.status === 'rejected' && rejectsUnauthenticated(/expired/)(outcome.reason));
    assert.equal(rsaVerifications.mock.callCount(), 1, 'one verification for the burst');
    await assert.rejects(verifier.verify(`Bearer ${expired}`), rejectsUnauthenticated(/expired/));
    assert.equal(rsaVerifications.mock.callCount(), 2, 'a rejected token is checked again, not remembered');
  });

  test('does not cache rejected tokens', async () => {
    const issuer = await new LocalIssuer().start();
    try {
      const verifier = createTokenVerifier({ jwksUrl: issuer.jwksUrl });
      const bad = await issuer.token({ claims: { type: 'refresh' } });
      await assert.rejects(verifier.verify(`Bearer ${bad}`));
      await assert.rejects(verifier.verify(`Bearer ${bad}`), rejectsUnauthenticated(/"type" claim/));
    } finally {
      await issuer.stop();
    }
  });
});
