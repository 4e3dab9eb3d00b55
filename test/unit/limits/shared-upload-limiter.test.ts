import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AssetError } from '../../../src/domain/errors.js';
import { ADMITTED, type CountedLimit, type LimitName, type Verdict } from '../../../src/limits/counted-limit.js';
import { redisUnavailable } from '../../../src/limits/redis-counters.js';
import { SharedUploadLimiter } from '../../../src/limits/shared-upload-limiter.js';

/** A limit over an in-memory counter of bytes. */
class FakeLimit implements CountedLimit {
  readonly used = new Map<string, number>();
  consumed = 0;
  blockedMs = 0;
  failure: Error | null = null;
  giveBackFailure: Error | null = null;
  /** Set: give-backs wait for it (a store that hangs). */
  giveBackHangs: Promise<void> | null = null;

  constructor(
    readonly name: LimitName,
    readonly max: number,
    readonly kind: 'rate' = 'rate',
    private readonly retryAfterMs = 30_000,
  ) {}

  blockedForMs(): number {
    return this.blockedMs;
  }

  async consume(ownerId: string, sizeBytes: number): Promise<Verdict> {
    this.consumed++;
    if (this.failure) throw this.failure;
    const now = this.usedBy(ownerId) + sizeBytes;
    this.used.set(ownerId, now);
    if (now <= this.max) return ADMITTED;
    this.used.set(ownerId, now - sizeBytes);
    return { admitted: false, retryAfterMs: this.retryAfterMs };
  }

  async giveBack(ownerId: string, sizeBytes: number): Promise<void> {
    if (this.giveBackHangs) await this.giveBackHangs;
    if (this.giveBackFailure) throw this.giveBackFailure;
    this.used.set(ownerId, this.usedBy(ownerId) - sizeBytes);
  }

  usedBy(ownerId: string): number {
    return this.used.get(ownerId) ?? 0;
  }
}

function limiterOver(...limits: FakeLimit[]) {
  const refused: LimitName[] = [];
  const giveBackFailures: unknown[] = [];
  const limiter = new SharedUploadLimiter(limits, { onRefused: (l) => void refused.push(l), onGiveBackFailed: (e) => void giveBackFailures.push(e) });
  return { limiter, refused, giveBackFailures };
}

async function refusalOf(promise: Promise<unknown>): Promise<AssetError> {
  const error = await promise.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
  assert.ok(error instanceof AssetError, String(error));
  return error;
}

describe('SharedUploadLimiter', () => {
  test('an upload with room in every limit is admitted and counts in all of them', async () => {
    const [bytes, uploads] = [new FakeLimit('bytesPerHour', 100), new FakeLimit('uploadsPerHour', 100)];
    await limiterOver(bytes, uploads).limiter.admit('ann', 60);
    assert.deepEqual([bytes.usedBy('ann'), uploads.usedBy('ann')], [60, 60]);
  });

  test('a refused upload counts nowhere: every limit that admitted it gives it back', async () => {
    const [roomy, tight] = [new FakeLimit('uploadsPerHour', 1000), new FakeLimit('bytesPerHour', 100)];
    const { limiter } = limiterOver(roomy, tight);
    await limiter.admit('ann', 60);
    const error = await refusalOf(limiter.admit('ann', 60));
    assert.equal(error.code, 'RATE_LIMIT_EXCEEDED');
    assert.equal(error.details.limit, 'bytesPerHour');
    assert.deepEqual([roomy.usedBy('ann'), tight.usedBy('ann')], [60, 60]);
  });

  test('an owner already known to be blocked is refused without asking any limit', async () => {
    const [blocking, other] = [new FakeLimit('burstPerMinute', 5), new FakeLimit('bytesPerHour', 100)];
    blocking.blockedMs = 42_500;
    const { limiter, refused } = limiterOver(other, blocking);
    const error = await refusalOf(limiter.admit('ann', 1));
    assert.equal(error.code, 'RATE_LIMIT_EXCEEDED');
    assert.deepEqual(error.details, { limit: 'burstPerMinute', limitValue: 5, retryAfterSeconds: 43 });
    assert.deepEqual([blocking.consumed, other.consumed], [0, 0]);
    assert.deepEqual(refused, ['burstPerMinute']);
  });

  test('of several refusing rate limits, the one that lasts longest is reported', async () => {
    const minute = new FakeLimit('burstPerMinute', 0, 'rate', 20_000);
    const hour = new FakeLimit('uploadsPerHour', 0, 'rate', 2_000_000);
    const { limiter, refused } = limiterOver(minute, hour);
    const error = await refusalOf(limiter.admit('ann', 1));
    assert.deepEqual([error.details.limit, error.details.retryAfterSeconds], ['uploadsPerHour', 2000]);
    assert.deepEqual(refused, ['uploadsPerHour'], 'one refusal, counted once, by the limit reported');
  });

  // The stores' guards name their failures (postgres-counters.test.ts, redis-counters.test.ts): the limiter passes them on.
  const storeFailures = [
    { store: 'PostgreSQL', failure: () => new AssetError('DATABASE_UNAVAILABLE', 'the database is down') },
    { store: 'Redis', failure: redisUnavailable },
  ];
  for (const { store, failure } of storeFailures) {
    test(`a failure of the ${store} counters reaches the caller as its guard named it, and the limits that counted give the upload back`, async () => {
      const [counted, down] = [new FakeLimit('bytesPerHour', 100), new FakeLimit('burstPerMinute', 100)];
      down.failure = failure();
      const error = await refusalOf(limiterOver(counted, down).limiter.admit('ann', 10));
      assert.equal(error, down.failure);
      assert.equal(counted.usedBy('ann'), 0);
    });
  }

  test('a store failure is answered at once, while the limits that counted give the upload back in the background', async () => {
    const [counted, down] = [new FakeLimit('uploadsPerHour', 100), new FakeLimit('burstPerMinute', 100)];
    down.failure = redisUnavailable();
    let answer: () => void = () => undefined;
    counted.giveBackHangs = new Promise((resolve) => (answer = resolve));
    const error = await refusalOf(limiterOver(counted, down).limiter.admit('ann', 10));
    assert.equal(error.code, 'REDIS_UNAVAILABLE');
    assert.equal(counted.usedBy('ann'), 10, 'not given back yet: the store has not answered');
    answer();
    await new Promise((tick) => setImmediate(tick));
    assert.equal(counted.usedBy('ann'), 0);
  });

  test('a refusal by the storage quota (checked at insert) names the quota, says waiting does not help, and is counted', async () => {
    const refused: LimitName[] = [];
    const limiter = new SharedUploadLimiter([], { onRefused: (l) => void refused.push(l), onGiveBackFailed: () => undefined }, 5000);
    const error = limiter.quotaRefusal(700);
    assert.ok(error instanceof AssetError);
    assert.equal(error.code, 'QUOTA_EXCEEDED');
    assert.deepEqual(error.details, { limit: 'quotaBytes', limitValue: 5000, retryAfterSeconds: 0 });
    assert.match(error.message, /at most 5000 bytes.*this upload \(700 bytes\) does not fit.*Delete assets/);
    assert.deepEqual(refused, ['quotaBytes']);
  });

  test('cancel gives an admitted upload back to every limit', async () => {
    const [minute, bytes] = [new FakeLimit('burstPerMinute', 100), new FakeLimit('bytesPerHour', 100)];
    const { limiter } = limiterOver(minute, bytes);
    await limiter.admit('ann', 40);
    await limiter.cancel('ann', 40);
    assert.deepEqual([minute.usedBy('ann'), bytes.usedBy('ann')], [0, 0]);
  });

  test('a give-back that fails is reported, never thrown, and the other limits still get theirs', async () => {
    const [broken, fine] = [new FakeLimit('burstPerMinute', 100), new FakeLimit('bytesPerHour', 100)];
    const { limiter, giveBackFailures } = limiterOver(broken, fine);
    await limiter.admit('ann', 40);
    broken.giveBackFailure = new Error('connection terminated');
    await limiter.cancel('ann', 40);
    assert.deepEqual(giveBackFailures, [broken.giveBackFailure]);
    assert.equal(fine.usedBy('ann'), 0);
  });

  test('with every limit off, admitting asks nothing and always succeeds', async () => {
    await limiterOver().limiter.admit('ann', Number.MAX_SAFE_INTEGER);
  });
});
