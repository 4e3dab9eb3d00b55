import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ISSUER_OUTAGE_GRACE_MS, OUTAGE_RETRY_MS, REVERIFY_AFTER_MS, VerifiedTokenCache } from '../../../src/auth/verified-token-cache.js';
import { principal } from '../fakes.js';

describe('VerifiedTokenCache', () => {
  test('returns a remembered principal until the token expires, then forgets it', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(() => now);
    const alice = principal('alice');
    cache.set('token-a', alice, 1_010); // expires at 1_010_000 ms
    assert.equal(cache.get('token-a')?.principal, alice);
    now = 1_009_999;
    assert.equal(cache.get('token-a')?.principal, alice);
    now = 1_010_000;
    assert.equal(cache.get('token-a'), undefined);
    now = 1_000_000;
    assert.equal(cache.get('token-a'), undefined, 'an expired entry is removed, not just hidden');
  });

  test('says a long-lived token is due for checking against the issuer keys again a minute after it was verified', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(() => now);
    cache.set('token-a', principal('alice'), 1_000 + 24 * 3600); // valid for a day
    now += REVERIFY_AFTER_MS - 1;
    assert.equal(cache.dueForReverifying(cache.get('token-a')!), false);
    now += 1;
    assert.equal(cache.dueForReverifying(cache.get('token-a')!), true, `due after ${REVERIFY_AFTER_MS} ms`);
    cache.set('token-a', principal('alice'), 1_000 + 24 * 3600);
    assert.equal(cache.dueForReverifying(cache.get('token-a')!), false, 'verified again: fresh for another minute');
  });

  test('lets a token verified in the last 15 minutes stand while the issuer keys cannot be fetched, re-checking it every 30 s, not at every call', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(() => now);
    cache.set('token-a', principal('alice'), 1_000 + 24 * 3600);
    now += REVERIFY_AFTER_MS;
    assert.equal(cache.standsDuringOutage('token-a'), true);
    assert.equal(cache.dueForReverifying(cache.get('token-a')!), false, 'no new try right away');
    now += OUTAGE_RETRY_MS;
    assert.equal(cache.dueForReverifying(cache.get('token-a')!), true, `tried again after ${OUTAGE_RETRY_MS} ms`);
    now = 1_000_000 + ISSUER_OUTAGE_GRACE_MS;
    assert.equal(cache.standsDuringOutage('token-a'), false, '15 minutes after its last verification it no longer stands');
    assert.equal(cache.standsDuringOutage('unknown'), false);
  });

  test('forgets a token it is told to', () => {
    const cache = new VerifiedTokenCache(() => 0);
    cache.set('token-a', principal('alice'), 60);
    cache.forget('token-a');
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
    assert.equal(cache.get('token-0')?.principal, p);
    cache.set('token-10000', p, 60);
    assert.equal(cache.get('token-0'), undefined);
    assert.equal(cache.get('token-1')?.principal, p);
    assert.equal(cache.get('token-10000')?.principal, p);
  });
});
