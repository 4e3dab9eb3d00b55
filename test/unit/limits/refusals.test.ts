import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LimitRule } from '../../../src/limits/counted-limit.js';
import { refusal } from '../../../src/limits/refusals.js';

const limit = (name: LimitRule['name'], kind: LimitRule['kind'], max: number): LimitRule => ({ name, kind, max });

describe('refusal', () => {
  test('a rate limit gives whole retryAfterSeconds, rounded up and never below 1', () => {
    const burst = limit('burstPerMinute', 'rate', 100);
    assert.equal(refusal(burst, 1, 1).details.retryAfterSeconds, 1);
    assert.equal(refusal(burst, 0, 1).details.retryAfterSeconds, 1);
    assert.equal(refusal(burst, 1500, 1).details.retryAfterSeconds, 2);
  });

  test('a rate limit is RATE_LIMIT_EXCEEDED, naming the limit and its value, and saying when to retry', () => {
    const error = refusal(limit('bytesPerHour', 'rate', 1000), 59_000, 700);
    assert.equal(error.code, 'RATE_LIMIT_EXCEEDED');
    assert.deepEqual(error.details, { limit: 'bytesPerHour', limitValue: 1000, retryAfterSeconds: 59 });
    assert.match(error.message, /at most 1000 bytes of uploads per hour, and this one \(700 bytes\) does not fit\. Retry in 59 s\./);
  });

  test('the quota is QUOTA_EXCEEDED with retryAfterSeconds 0, telling the owner to delete assets', () => {
    const error = refusal(limit('quotaBytes', 'quota', 5000), 0, 10);
    assert.equal(error.code, 'QUOTA_EXCEEDED');
    assert.deepEqual(error.details, { limit: 'quotaBytes', limitValue: 5000, retryAfterSeconds: 0 });
    assert.match(error.message, /Delete assets you no longer need/);
  });
});
