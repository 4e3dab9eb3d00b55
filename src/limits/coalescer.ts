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

interface Waiting {
  points: number;
  resolve(verdict: Verdict): void;
  reject(error: unknown): void;
}

/**
 * Concurrent uploads of one owner in this process share one store round trip: while one is in
 * flight for a key, later requests queue and go together in the next, decided in arrival order as
 * if they had come one by one. Under load an owner costs one statement per round trip instead of
 * one per upload, and the owner's counter row is no longer a queue of row locks.
 */
export class Coalescer {
  /** Per key with a round trip in flight: the requests waiting for the next one. */
  private readonly queues = new Map<string, Waiting[]>();

  constructor(
    private readonly store: CoalescedStore,
    private readonly max: number,
  ) {}

  decide(key: string, points: number): Promise<Verdict> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) return void queue.push({ points, resolve, reject });
      this.queues.set(key, []);
      void this.flush(key, [{ points, resolve, reject }]);
    });
  }

  private async flush(key: string, batch: Waiting[]): Promise<void> {
    try {
      const total = batch.reduce((sum, w) => sum + w.points, 0);
      const { before, added, retryAfterMs } = await this.store.count(key, total);
      let used = before;
      const refused = new Set(batch.filter((w) => {
        if (used + w.points > this.max) return true;
        used += w.points;
        return false;
      }));
      const refusedPoints = [...refused].reduce((sum, w) => sum + w.points, 0);
      if (added && refusedPoints > 0) await this.store.takeBack(key, refusedPoints);
      for (const w of batch) w.resolve(refused.has(w) ? { admitted: false, retryAfterMs } : ADMITTED);
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
    const next = this.queues.get(key) ?? [];
    if (next.length === 0) return void this.queues.delete(key);
    this.queues.set(key, []);
    void this.flush(key, next);
  }
}
