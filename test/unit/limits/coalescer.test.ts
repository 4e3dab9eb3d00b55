import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Coalescer, type CoalescedStore, type Tally } from '../../../src/limits/coalescer.js';

/** A counter store whose round trips are held open until released, so that requests pile up behind one. */
class SlowCounter implements CoalescedStore {
  readonly counts = new Map<string, number>();
  readonly calls: string[] = [];
  private gates: (() => void)[] = [];

  async count(key: string, points: number): Promise<Tally> {
    this.calls.push(`count ${key} ${points}`);
    await new Promise<void>((open) => this.gates.push(open));
    const before = this.counts.get(key) ?? 0;
    this.counts.set(key, before + points);
    return { before, added: true, retryAfterMs: 9000 };
  }

  async takeBack(key: string, points: number): Promise<void> {
    this.calls.push(`takeBack ${key} ${points}`);
    this.counts.set(key, (this.counts.get(key) ?? 0) - points);
  }

  /** Lets every round trip started so far finish. */
  async release(): Promise<void> {
    await new Promise((tick) => setImmediate(tick));
    for (const open of this.gates.splice(0)) open();
    await new Promise((tick) => setImmediate(tick));
  }
}

describe('Coalescer', () => {
  test('requests arriving while a round trip is in flight share the next one, decided in arrival order', async () => {
    const store = new SlowCounter();
    const coalescer = new Coalescer(store, 10);
    const first = coalescer.decide('ann', 4);
    const queued = [coalescer.decide('ann', 5), coalescer.decide('ann', 3), coalescer.decide('ann', 1)];
    await store.release();
    assert.deepEqual(await first, { admitted: true });
    await store.release();
    assert.deepEqual(await Promise.all(queued), [{ admitted: true }, { admitted: false, retryAfterMs: 9000 }, { admitted: true }]);
    assert.deepEqual(store.calls, ['count ann 4', 'count ann 9', 'takeBack ann 3']);
    assert.equal(store.counts.get('ann'), 10, 'only admitted points stay counted');
  });

  test('different keys do not wait for each other', async () => {
    const store = new SlowCounter();
    const coalescer = new Coalescer(store, 10);
    void coalescer.decide('ann', 1);
    void coalescer.decide('bob', 1);
    await new Promise((tick) => setImmediate(tick));
    assert.deepEqual(store.calls, ['count ann 1', 'count bob 1']);
    await store.release();
  });

  test('a failed round trip fails every request of its batch, and the next batch still goes', async () => {
    let fail = true;
    const store: CoalescedStore = {
      count: async () => {
        if (fail) throw new Error('database gone');
        return { before: 0, added: true, retryAfterMs: 0 };
      },
      takeBack: async () => undefined,
    };
    const coalescer = new Coalescer(store, 10);
    await assert.rejects(coalescer.decide('ann', 1), /database gone/);
    fail = false;
    assert.deepEqual(await coalescer.decide('ann', 1), { admitted: true });
  });

  test('requests queued behind a failed round trip fail with it at once instead of asking the store again', async () => {
    const calls: number[] = [];
    let answer: (error: Error) => void = () => undefined;
    const store: CoalescedStore = {
      count: (_key, points) => {
        calls.push(points);
        return new Promise((_, reject) => (answer = reject));
      },
      takeBack: async () => undefined,
    };
    const coalescer = new Coalescer(store, 10);
    const first = coalescer.decide('ann', 1);
    const queued = [coalescer.decide('ann', 2), coalescer.decide('ann', 3)];
    answer(new Error('Redis timed out'));
    for (const verdict of [first, ...queued]) await assert.rejects(verdict, /Redis timed out/);
    assert.deepEqual(calls, [1], 'one round trip, not one more for the queued requests');
  });
});
