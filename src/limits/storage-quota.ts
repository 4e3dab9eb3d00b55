import type pg from 'pg';
import { Coalescer } from './coalescer.js';
import type { CountedLimit, Verdict } from './counted-limit.js';

const HELD_BYTES = {
  name: 'limits_held_bytes',
  // An index-only scan of assets_held_bytes_by_owner; float8 because pg returns sum()'s numeric as a string.
  text: "SELECT coalesce(sum(size_bytes), 0)::float8 AS held FROM assets WHERE owner_id = $1 AND status IN ('PENDING', 'READY')",
};

/**
 * Bytes an owner holds in READY and PENDING assets, summed from the assets table at each new upload
 * rather than kept in a counter: whatever changes an asset (a delete, a failed confirm, the expiry and
 * purge jobs, rows from before the quota existed, the quota switched off and on) counts at once, and
 * nothing can drift. The costs: the sum grows with the assets an owner holds (an index-only scan of
 * their entries), and it is a check, not a reservation: concurrent uploads of one owner in this
 * process are decided together, but uploads admitted on other replicas (or in the previous round
 * trip) that are not inserted yet are missed, so an owner racing creates at the boundary may pass
 * the quota by what it has in flight, which the per-minute limit bounds.
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
