import { Batcher, type ItemOutcomes } from '../concurrency/batcher.js';
import { ADMITTED, type Verdict } from './counted-limit.js';

/** What the store said for a batch: the owner's count before it, whether it added the batch, and when the limit has room again. */
export interface Tally {
  before: number;
  added: boolean;
  retryAfterMs: number;
}

export interface CoalescedStore {
  /** Counts `points` for `key` at once (or only reads the count) and tells what it was before. */
  count(key: string, points: number): Promise<Tally>;
  /** Takes back the part of a batch that was refused, when `count` had added it. */
  takeBack(key: string, points: number): Promise<void>;
}

/**
 * Concurrent uploads of one owner in this process share one store round trip: while one is in
 * flight for a key, later requests queue and go together in the next, decided in arrival order as
 * if they had come one by one. Under load an owner costs one statement per round trip instead of
 * one per upload, and the owner's counter row is no longer a queue of row locks. When the store
 * fails a round trip, the owner's queued requests fail with it at once rather than wait as long again.
 */
export class Coalescer {
  /** Per key with a round trip in flight or queued: one batch at a time. */
  private readonly batchers = new Map<string, Batcher<number, Verdict>>();

  constructor(
    private readonly store: CoalescedStore,
    private readonly max: number,
  ) {}

  decide(key: string, points: number): Promise<Verdict> {
    let batcher = this.batchers.get(key);
    if (!batcher) {
      batcher = new Batcher((batch) => this.decideBatch(key, batch), { maxBatchSize: Number.POSITIVE_INFINITY, maxInFlight: 1, failWaitingWithBatch: true });
      this.batchers.set(key, batcher);
    }
    const verdict = batcher.submit(points);
    const owned = batcher;
    // Forget an owner once nothing of theirs is in flight: the map holds only owners being decided.
    void verdict.then(
      () => this.forgetIfIdle(key, owned),
      () => this.forgetIfIdle(key, owned),
    );
    return verdict;
  }

  private forgetIfIdle(key: string, batcher: Batcher<number, Verdict>): void {
    if (batcher.idle && this.batchers.get(key) === batcher) this.batchers.delete(key);
  }

  private async decideBatch(key: string, batch: readonly number[]): Promise<ItemOutcomes<Verdict>> {
    const total = batch.reduce((sum, points) => sum + points, 0);
    const { before, added, retryAfterMs } = await this.store.count(key, total);
    let used = before;
    const refused = batch.map((points) => {
      if (used + points > this.max) return true;
      used += points;
      return false;
    });
    const refusedPoints = batch.reduce((sum, points, i) => sum + (refused[i] ? points : 0), 0);
    if (added && refusedPoints > 0) await this.store.takeBack(key, refusedPoints);
    return refused.map((no) => ({ status: 'fulfilled', value: no ? { admitted: false, retryAfterMs } : ADMITTED }));
  }
}
