import type pg from 'pg';
import { ADMITTED, type CountedLimit, type Verdict } from './counted-limit.js';

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
 * their entries), and it is a check, not a reservation, so uploads of one owner admitted at the same
 * moment each see the others' bytes missing and may pass the quota together (by at most what the
 * owner has in flight, which the per-minute limit bounds).
 */
export class StorageQuota implements CountedLimit {
  readonly kind = 'quota';
  readonly name = 'quotaBytes';

  constructor(private readonly pool: pg.Pool, readonly max: number) {}

  /** Never refused from memory: a delete frees quota at once, on any replica. */
  blockedForMs(): number {
    return 0;
  }

  async consume(ownerId: string, sizeBytes: number): Promise<Verdict> {
    const { rows } = await this.pool.query<{ held: number }>({ ...HELD_BYTES, values: [ownerId] });
    const held = rows[0]?.held ?? 0;
    return held + sizeBytes <= this.max ? ADMITTED : { admitted: false, counted: false, retryAfterMs: 0 };
  }

  /** Nothing to give back: the upload's row is what counts, and it is only there if it was created. */
  async giveBack(): Promise<void> {}
}
