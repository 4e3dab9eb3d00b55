import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cachedCheck, upOnceConfirmed } from '../../../src/http/health.js';

describe('cachedCheck', () => {
  test('runs the check again only after a success has aged past the TTL', async () => {
    let now = 0;
    let calls = 0;
    const check = cachedCheck(async () => void calls++, 1000, () => now);
    await check();
    now = 999;
    await check();
    assert.equal(calls, 1);
    now = 1000;
    await check();
    assert.equal(calls, 2);
  });

  test('never remembers a failure: the next call checks again and reports it', async () => {
    let calls = 0;
    const check = cachedCheck(async () => {
      calls++;
      throw new Error('database down');
    }, 60_000, () => 0);
    await assert.rejects(check(), /database down/);
    await assert.rejects(check(), /database down/);
    assert.equal(calls, 2);
  });

  test('checks again after a failure that follows an expired success', async () => {
    let now = 0;
    let healthy = true;
    const check = cachedCheck(async () => {
      if (!healthy) throw new Error('storage down');
    }, 100, () => now);
    await check();
    healthy = false;
    now = 50;
    await check(); // still cached
    now = 100;
    await assert.rejects(check(), /storage down/);
  });
});

describe('upOnceConfirmed', () => {
  test('fails while the check fails, each call trying again, then passes for good without calling it any more', async () => {
    let calls = 0;
    let usable = false;
    const check = upOnceConfirmed(async () => {
      calls++;
      if (!usable) throw new Error('no keys');
    });
    await assert.rejects(check(), /no keys/);
    await assert.rejects(check(), /no keys/);
    usable = true;
    await check();
    usable = false;
    await check();
    assert.equal(calls, 3);
  });

  test('callers arriving while a check runs share it, and its failure', async () => {
    let calls = 0;
    let fail: (error: Error) => void = () => undefined;
    const check = upOnceConfirmed(() => {
      calls++;
      return new Promise<void>((_, reject) => (fail = reject));
    });
    const together = [check(), check(), check()];
    fail(new Error('unreachable'));
    for (const attempt of together) await assert.rejects(attempt, /unreachable/);
    assert.equal(calls, 1);
  });
});
