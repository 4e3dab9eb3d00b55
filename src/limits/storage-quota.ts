import type pg from 'pg';
import { Coalescer } from './coalescer.js';
import type { CountedLimit, Verdict } from './counted-limit.js';

const HELD_BYTES = {
  name: 'limits_held_bytes',
  // float8 because pg returns bigint as a string; byte counts stay exact as doubles up to 2^53.
  text: 'SELECT held_bytes::float8 AS held FROM owner_storage_usage WHERE owner_id = $1',
};

/**
 * Bytes an owner holds in READY and PENDING assets, from the per-owner total that triggers on the
 * assets table keep exact (migration 005): whatever changes an asset (a delete, a failed confirm, the
 * expiry and purge jobs) counts at once, on every replica, and reading it costs one primary-key
 * lookup however many assets the owner holds. It is a check, not a reservation: concurrent uploads of
 * one owner in this process are decided together, but uploads admitted on other replicas (or in the
 * previous round trip) that are not inserted yet are missed, so an owner racing creates at the
 * boundary may pass the quota by what it has in flight, which the per-minute limit bounds.
 */
export class StorageQuota implements CountedLimit {
  readonly kind = 'quota';
  readonly name = 'quotaBytes';
  private readonly coalescer: Coalescer;

  constructor(private readonly pool: pg.Pool, readonly max: number) {
    this.coalescer = new Coalescer({ count: (ownerId) => this.held(ownerId), takeBack: async () => undefined }, max);
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
    const { rows } = await this.pool.query<{ held: number }>({ ...HELD_BYTES, values: [ownerId] });
    // retryAfterMs 0: waiting alone does not free quota.
    return { before: rows[0]?.held ?? 0, added: false, retryAfterMs: 0 };
  }
}
