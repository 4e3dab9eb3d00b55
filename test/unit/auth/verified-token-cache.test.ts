import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REVERIFY_AFTER_MS, VerifiedTokenCache } from '../../../src/auth/verified-token-cache.js';
import { principal } from '../fakes.js';

describe('VerifiedTokenCache', () => {
  test('returns a remembered principal until the token expires, then forgets it', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(() => now);
    const alice = principal('alice');
    cache.set('token-a', alice, 1_010); // expires at 1_010_000 ms
    assert.equal(cache.get('token-a'), alice);
    now = 1_009_999;
    assert.equal(cache.get('token-a'), alice);
    now = 1_010_000;
    assert.equal(cache.get('token-a'), undefined);
    now = 1_000_000;
    assert.equal(cache.get('token-a'), undefined, 'an expired entry is removed, not just hidden');
  });

  test('forgets a long-lived token after a minute, so that it is checked against the issuer keys again', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(() => now);
    const alice = principal('alice');
    cache.set('token-a', alice, 1_000 + 24 * 3600); // valid for a day
    now += REVERIFY_AFTER_MS - 1;
    assert.equal(cache.get('token-a'), alice);
    now += 1;
    assert.equal(REVERIFY_AFTER_MS, 60_000);
    assert.equal(cache.get('token-a'), undefined);
  });

  test('does not remember a token without an expiry', () => {
    const cache = new VerifiedTokenCache(() => 0);
    cache.set('token-a', principal('alice'), undefined);
    assert.equal(cache.get('token-a'), undefined);
  });

  test('knows nothing about tokens it was never given', () => {
    assert.equal(new VerifiedTokenCache(() => 0).get('unknown'), undefined);
  });

  test('is bounded: the oldest entry goes when 10,000 tokens are held', () => {
    const cache = new VerifiedTokenCache(() => 0);
    const p = principal('alice');
    for (let i = 0; i < 10_000; i++) cache.set(`token-${i}`, p, 60);
    assert.equal(cache.get('token-0'), p);
    cache.set('token-10000', p, 60);
    assert.equal(cache.get('token-0'), undefined);
    assert.equal(cache.get('token-1'), p);
    assert.equal(cache.get('token-10000'), p);
  });
});
