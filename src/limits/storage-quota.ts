import type pg from 'pg';
import { Batcher, type ItemOutcomes } from '../concurrency/batcher.js';
import { Coalescer } from './coalescer.js';
import type { CountedLimit, Verdict } from './counted-limit.js';

const HELD_BYTES = {
  name: 'limits_held_bytes',
  // float8 because pg returns bigint as a string; byte counts stay exact as doubles up to 2^53.
  text: 'SELECT owner_id, held_bytes::float8 AS held FROM owner_storage_usage WHERE owner_id = ANY($1::text[])',
};
// Owners whose uploads arrive while the previous read is in flight are read together, in one statement
// (one at a time, like the inserts: fewer, larger reads cost less database CPU per upload).
const READ_BATCHING = { maxBatchSize: 500, maxInFlight: 1 };

/**
 * Bytes an owner holds in READY and PENDING assets, from the per-owner total that triggers on the
 * assets table keep exact (migration 005): whatever changes an asset (a delete, a failed confirm, the
 * expiry and purge jobs) counts at once, on every replica, and reading it costs one primary-key
 * lookup however many assets the owner holds (and concurrent owners share one statement). It is a check, not a reservation: concurrent uploads of
 * one owner in this process are decided together, but uploads admitted on other replicas (or in the
 * previous round trip) that are not inserted yet are missed, so an owner racing creates at the
 * boundary may pass the quota by what it has in flight, which the per-minute limit bounds.
 */
export class StorageQuota implements CountedLimit {
  readonly kind = 'quota';
  readonly name = 'quotaBytes';
  private readonly coalescer: Coalescer;
  private readonly reads: Batcher<string, number>;

  constructor(private readonly pool: pg.Pool, readonly max: number) {
    this.coalescer = new Coalescer({ count: (ownerId) => this.held(ownerId), takeBack: async () => undefined }, max);
    this.reads = new Batcher((owners) => this.heldBy(owners), READ_BATCHING);
  }

  /** Never refused from memory: a delete frees quota at once, on any replica. */
  blockedForMs(): number {
    return 0;
  }

  consume(ownerId: string, sizeBytes: number): Promise<Verdict> {
    return this.coalescer.decide(ownerId, sizeBytes);
  }

  /** Nothing to give back: the upload's row is what counts, and it is only there if it was created. */
  async giveBack(): Promise<void> {}

  private async held(ownerId: string) {
    // retryAfterMs 0: waiting alone does not free quota.
    return { before: await this.reads.submit(ownerId), added: false, retryAfterMs: 0 };
  }

  private async heldBy(owners: readonly string[]): Promise<ItemOutcomes<number>> {
    const { rows } = await this.pool.query<{ owner_id: string; held: number }>({ ...HELD_BYTES, values: [owners] });
    const held = new Map(rows.map((row) => [row.owner_id, row.held]));
    // An owner without a row has never held anything.
    return owners.map((owner) => ({ status: 'fulfilled', value: held.get(owner) ?? 0 }));
  }
}
