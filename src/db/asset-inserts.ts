import type pg from 'pg';
import { Batcher, type ItemOutcomes } from '../concurrency/batcher.js';
import type { Asset, NewAsset } from '../domain/asset.js';

const COLUMNS = `id, owner_id, namespace, visibility, storage_key, storage_region, storage_bucket, mime_type,
           size_bytes, checksum, original_filename, upload_expires_at, idempotency_key, created_at`;
// The batch's columns arrive as arrays; unnest turns them back into rows, numbered in arrival order.
const BATCH = `SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
           $9::bigint[], $10::text[], $11::text[], $12::timestamptz[], $13::text[], $14::timestamptz[]) WITH ORDINALITY
           AS a(${COLUMNS}, arrival)`;
// A row whose (owner, idempotency key) is taken, also by an earlier row of the same batch, is skipped.
// Rows go in key order: two batches (two replicas, a client retrying in parallel) holding the same keys
// then wait on each other's uncommitted keys in the same order, where any other order can deadlock.
const INSERT_ROWS = (from: string) => `INSERT INTO assets (${COLUMNS}, updated_at)
         SELECT ${COLUMNS}, created_at FROM ${from}
         ORDER BY owner_id, idempotency_key
         ON CONFLICT (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id`;

const INSERT_MANY = { name: 'assets_insert_many', text: INSERT_ROWS(`(${BATCH}) AS batch`) };

// With a storage quota, the same statement also decides it, exactly. It locks the owners' held-bytes rows,
// in owner order like the usage trigger that then updates them, by upserting them unchanged: an owner's
// first row is made here too, and a concurrent batch making or changing it (on any replica) is waited for.
// Concurrent batches of an owner are so decided one after the other, on the committed total. A row goes
// in when the owner's total plus the batch's rows of that owner up to it (arrival order) fits in $15; the
// statement also says whether it would have fitted alone (behind a refused larger row of its owner).
const INSERT_MANY_WITHIN_QUOTA = {
  name: 'assets_insert_many_within_quota',
  text: `WITH batch AS (${BATCH}),
         held AS (
           INSERT INTO owner_storage_usage AS u (owner_id, held_bytes)
           SELECT DISTINCT owner_id, 0 FROM batch ORDER BY owner_id
           ON CONFLICT (owner_id) DO UPDATE SET held_bytes = u.held_bytes
           RETURNING owner_id, held_bytes
         ),
         decided AS (
           SELECT batch.*,
             held.held_bytes + sum(size_bytes) OVER (PARTITION BY owner_id ORDER BY arrival) <= $15 AS fits,
             held.held_bytes + size_bytes <= $15 AS fits_alone
           FROM batch JOIN held USING (owner_id)
         ),
         inserted AS (${INSERT_ROWS('decided WHERE fits')})
         SELECT decided.id, inserted.id IS NOT NULL AS inserted, fits, fits_alone
         FROM decided LEFT JOIN inserted USING (id)`,
};
interface QuotaDecisionRow {
  id: string;
  inserted: boolean;
  fits: boolean;
  fits_alone: boolean;
}

/** Goes of a batch after its first, when it lost a race (a deadlock) and was rolled back. */
const MAX_ATTEMPTS = 3;

// One batch at a time: the next fills while it is in flight. A statement's fixed cost (round trip, commit,
// the usage trigger) dominates small batches, so more at once only split the load into smaller, dearer
// batches that contend for the same owners' usage rows. Measured with npm run bench at 64 connections:
// 2 at once cost ~40 % more database CPU per create than 1, 4 at once ~40 % more than 2.
const BATCHING = { maxBatchSize: 200, maxInFlight: 1 };
// Rows that must be decided on their own go one at a time, beside the batches: a run of refused rows
// neither holds up everyone's next batch nor takes the pool from everyone else.
const SINGLES = { maxBatchSize: 1, maxInFlight: 1 };

/** What inserting one new asset did: stored, skipped (its idempotency key is taken), or refused by the quota. */
export type InsertResult = 'inserted' | 'taken' | 'overQuota';

/**
 * New assets, inserted in batches: concurrent creates share one statement (one round trip, one
 * commit, one parse of the batch) instead of one each, the create path's largest database cost.
 * With a quota (bytes an owner may hold in PENDING and READY assets; 0 for none), the statement
 * checks it too, exactly across replicas.
 */
export class AssetInserts {
  private readonly batches: Batcher<NewAsset, Decision>;
  private readonly singles: Batcher<NewAsset, Decision>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly quotaBytes = 0,
  ) {
    this.batches = new Batcher((assets) => this.insertBatch(assets), BATCHING);
    this.singles = new Batcher((assets) => this.insertBatch(assets), SINGLES);
  }

  /**
   * A row a batch could not decide for itself goes again alone: one the database refused (a
   * constraint) so that its failure stays its own, one refused behind a larger refused row of its
   * owner so that it is decided on the total as it then stands.
   */
  async insert(asset: NewAsset): Promise<InsertResult> {
    const decision = await this.batches.submit(asset);
    return decision === 'alone' ? decidedAlone(await this.singles.submit(asset)) : decision;
  }

  private async insertBatch(assets: readonly NewAsset[], attempt = 0): Promise<ItemOutcomes<Decision>> {
    try {
      const decisions = this.quotaBytes > 0 ? await this.insertWithinQuota(assets) : await this.insertAll(assets);
      return decisions.map((value) => ({ status: 'fulfilled', value }));
    } catch (error) {
      // Rolled back whole: a deadlock (a status change of the owner's asset holding a key this batch waits
      // for, while its trigger waits for the total this batch locked) goes again.
      if (isTransientConflict(error) && attempt < MAX_ATTEMPTS) return this.insertBatch(assets, attempt + 1);
      if (assets.length > 1 && isRowError(error)) return assets.map(() => ({ status: 'fulfilled', value: 'alone' }));
      throw error;
    }
  }

  private async insertAll(assets: readonly NewAsset[]): Promise<Decision[]> {
    const { rows } = await this.pool.query<{ id: string }>({ ...INSERT_MANY, values: columns(assets) });
    const inserted = new Set(rows.map((row) => row.id));
    return assets.map((asset) => (inserted.has(asset.id) ? 'inserted' : 'taken'));
  }

  private async insertWithinQuota(assets: readonly NewAsset[]): Promise<Decision[]> {
    const values = [...columns(assets), this.quotaBytes];
    const { rows } = await this.pool.query<QuotaDecisionRow>({ ...INSERT_MANY_WITHIN_QUOTA, values });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return assets.map((asset) => quotaDecision(byId.get(asset.id)));
  }
}

/** What a batch did with one row: an outcome, or 'alone' when the row must be tried again on its own. */
type Decision = InsertResult | 'alone';

function quotaDecision(row: QuotaDecisionRow | undefined): Decision {
  if (!row) throw new Error('the quota insert returned no decision for a row');
  if (row.inserted) return 'inserted';
  if (row.fits) return 'taken';
  return row.fits_alone ? 'alone' : 'overQuota';
}

/** A row inserted on its own is decided for good: it fits alone exactly when it fits, and no other row can fail it. */
function decidedAlone(decision: Decision): InsertResult {
  if (decision === 'alone') throw new Error('a row inserted on its own was sent to be inserted on its own again');
  return decision;
}

/** The row as the insert stored it: the defaults of a new asset filled in. */
export function insertedAsset(asset: NewAsset): Asset {
  return { ...asset, status: 'PENDING', failureReason: null, version: 0, updatedAt: asset.createdAt, deletedAt: null, deletedBy: null };
}

function columns(assets: readonly NewAsset[]): unknown[][] {
  return [
    assets.map((a) => a.id), assets.map((a) => a.ownerId), assets.map((a) => a.namespace), assets.map((a) => a.visibility),
    assets.map((a) => a.storageKey), assets.map((a) => a.storageRegion), assets.map((a) => a.storageBucket), assets.map((a) => a.mimeType),
    assets.map((a) => a.sizeBytes), assets.map((a) => a.checksum), assets.map((a) => a.originalFilename), assets.map((a) => a.uploadExpiresAt),
    assets.map((a) => a.idempotencyKey), assets.map((a) => a.createdAt),
  ];
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the data, not the database. */
function isRowError(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

/** 40P01 deadlock_detected, 40001 serialization_failure: the statement lost a race and may simply go again. */
function isTransientConflict(error: unknown): boolean {
  const code = sqlState(error);
  return code === '40P01' || code === '40001';
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
