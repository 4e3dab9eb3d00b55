import { validate as isUuid } from 'uuid';
import type pg from 'pg';
import { Batcher, type ItemOutcomes } from '../concurrency/batcher.js';
import type { Asset, NewAsset } from '../domain/asset.js';
import type { ListCriteria } from '../domain/asset-list.js';
import type { AssetRepository, InsertOutcome, StatusChange } from '../domain/ports.js';
import { AssetInserts, insertedAsset } from './asset-inserts.js';
import { type AssetRow, toAsset } from './asset-row.js';
import { withDatabaseErrors } from './database-errors.js';

// Named statements are prepared once per connection and reused: the create path runs them thousands of times a second.
const FIND_BY_IDEMPOTENCY_KEY = { name: 'assets_find_by_idempotency_key', text: 'SELECT * FROM assets WHERE owner_id = $1 AND idempotency_key = $2' };
// Lookups by id that arrive while earlier ones are in flight go together, in one statement.
const FIND_BY_IDS = { name: 'assets_find_by_ids', text: 'SELECT * FROM assets WHERE id = ANY($1::uuid[])' };
const READ_BATCHING = { maxBatchSize: 500, maxInFlight: 2 };
const RELEASE_IDEMPOTENCY_KEY = { name: 'assets_release_idempotency_key', text: 'UPDATE assets SET idempotency_key = NULL WHERE id = $1' };
const TRANSITION = {
  name: 'assets_transition',
  // Every settled asset is marked for one more delete of its upload once the upload URL has died (migration 007):
  // a PUT after it (or an upload whose delete failed) stays at its staging key. Always, not only while the URL
  // works: a PUT that started before it died may still be streaming.
  text: `UPDATE assets SET status = $3, failure_reason = $4, checksum = COALESCE($5, checksum),
           deleted_at = CASE WHEN $3 = 'DELETED' THEN now() END, deleted_by = $6,
           late_upload_cleanup_after = upload_expires_at,
           version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $2
         RETURNING *`,
};
// The assets list: keyset pagination in newest-first order. Unset filters are NULL parameters, so that
// one prepared statement serves every combination of them.
const LIST_FILTERS = `status <> 'DELETED'
           AND ($2::text IS NULL OR namespace = $2)
           AND ($3::text IS NULL OR status = $3)
           AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))`;
const NEWEST_FIRST = 'ORDER BY created_at DESC, id DESC LIMIT $6';
// The caller's own assets: an index range scan of assets_owner_newest.
export const LIST_OWN = { name: 'assets_list_own', text: `SELECT * FROM assets WHERE owner_id = $1 AND ${LIST_FILTERS} ${NEWEST_FIRST}` };
// Plus everyone's READY PUBLIC assets: two index scans (assets_public_newest for the second), merged. Written as a
// UNION rather than one OR, which would leave PostgreSQL no index to read in order.
export const LIST_WITH_PUBLIC = {
  name: 'assets_list_with_public',
  text: `(SELECT * FROM assets WHERE owner_id = $1 AND ${LIST_FILTERS} ${NEWEST_FIRST})
         UNION ALL
         (SELECT * FROM assets WHERE visibility = 'PUBLIC' AND status = 'READY' AND owner_id <> $1 AND ${LIST_FILTERS} ${NEWEST_FIRST})
         ${NEWEST_FIRST}`,
};

export class PostgresAssetRepository implements AssetRepository {
  private readonly inserts: AssetInserts;
  private readonly lookups: Batcher<string, Asset | null>;

  /** quotaBytes: what an owner may hold in PENDING and READY assets, checked by every insert; 0 for no quota. */
  constructor(
    private readonly pool: pg.Pool,
    quotaBytes = 0,
  ) {
    this.inserts = new AssetInserts(pool, quotaBytes);
    this.lookups = new Batcher((ids) => this.findByIds(ids), READ_BATCHING);
  }

  insertOrFindByIdempotencyKey(asset: NewAsset): Promise<InsertOutcome> {
    return withDatabaseErrors(async () => {
      const result = await this.inserts.insert(asset);
      if (result === 'inserted') return { asset: insertedAsset(asset), created: true };
      if (result === 'overQuota') return { overQuota: true } as const;
      const existing = await this.pool.query<AssetRow>({ ...FIND_BY_IDEMPOTENCY_KEY, values: [asset.ownerId, asset.idempotencyKey] });
      // The holder may have released the key between our two statements: report "not created" with nothing to return.
      return existing.rows[0] ? { asset: toAsset(existing.rows[0]), created: false } : this.insertOrFindByIdempotencyKey(asset);
    });
  }

  releaseIdempotencyKey(id: string): Promise<void> {
    return withDatabaseErrors(async () => {
      await this.pool.query({ ...RELEASE_IDEMPOTENCY_KEY, values: [id] });
    });
  }

  findByIdempotencyKey(ownerId: string, idempotencyKey: string): Promise<Asset | null> {
    return withDatabaseErrors(async () => {
      const result = await this.pool.query<AssetRow>({ ...FIND_BY_IDEMPOTENCY_KEY, values: [ownerId, idempotencyKey] });
      return result.rows[0] ? toAsset(result.rows[0]) : null;
    });
  }

  findById(id: string): Promise<Asset | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return withDatabaseErrors(() => this.lookups.submit(id));
  }

  private async findByIds(ids: readonly string[]): Promise<ItemOutcomes<Asset | null>> {
    const { rows } = await this.pool.query<AssetRow>({ ...FIND_BY_IDS, values: [ids] });
    const found = new Map(rows.map((row) => [row.id, row]));
    // Each caller gets an asset of its own, even when several asked for the same id.
    return ids.map((id) => {
      const row = found.get(id.toLowerCase());
      return { status: 'fulfilled', value: row ? toAsset(row) : null };
    });
  }

  list(c: ListCriteria): Promise<Asset[]> {
    return withDatabaseErrors(async () => {
      const values = [c.ownerId, c.namespace, c.status, c.after?.createdAt ?? null, c.after?.id ?? null, c.limit];
      const result = await this.pool.query<AssetRow>({ ...(c.includePublic ? LIST_WITH_PUBLIC : LIST_OWN), values });
      return result.rows.map(toAsset);
    });
  }

  transition(id: string, expectedVersion: number, change: StatusChange): Promise<Asset | null> {
    return withDatabaseErrors(async () => {
      const values = [id, expectedVersion, change.status, change.failureReason ?? null, change.checksum ?? null, change.deletedBy ?? null];
      const result = await this.pool.query<AssetRow>({ ...TRANSITION, values });
      return result.rows[0] ? toAsset(result.rows[0]) : null;
    });
  }
}
