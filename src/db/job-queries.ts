import type pg from 'pg';
import type { Asset } from '../domain/asset.js';
import { type AssetRow, toAsset } from './asset-row.js';
import { withDatabaseErrors } from './database-errors.js';

/** What the audit trail needs of a purged row. */
export type PurgedAsset = Pick<Asset, 'id' | 'ownerId' | 'namespace' | 'sizeBytes'>;

// SKIP LOCKED: replicas (or overlapping runs) claiming at the same moment each get different rows.
// The lease keeps a claimed row away from other claims while its storage checks run outside any transaction.
const CLAIM_STALE_UPLOADS = {
  name: 'jobs_claim_stale_uploads',
  text: `WITH stale AS (
           SELECT id FROM assets
           WHERE status = 'PENDING' AND upload_expires_at < now() - make_interval(secs => $1)
             AND (job_lease_until IS NULL OR job_lease_until < now())
           ORDER BY upload_expires_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED)
         UPDATE assets SET job_lease_until = now() + make_interval(secs => $3)
         FROM stale WHERE assets.id = stale.id
         RETURNING assets.*`,
};
const PURGE_DELETED = {
  name: 'jobs_purge_deleted',
  text: `DELETE FROM assets WHERE id IN (
           SELECT id FROM assets
           WHERE status = 'DELETED' AND deleted_at < now() - make_interval(days => $1)
             AND late_upload_cleanup_after IS NULL -- the row still says which key a late upload may reach
           ORDER BY deleted_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED)
         RETURNING id, owner_id, namespace, size_bytes`,
};
// Served by the unique (storage_bucket, storage_key) index: one query per listed page, never the whole table.
const LIVE_KEYS = {
  name: 'jobs_live_keys',
  text: `SELECT storage_key FROM assets WHERE storage_bucket = $1 AND storage_key = ANY($2::text[]) AND status IN ('PENDING', 'READY')`,
};
// An upload's staging key is wanted only while its asset is PENDING: confirm copies what it needs.
const LIVE_UPLOADS = {
  name: 'jobs_live_uploads',
  text: `SELECT id FROM assets WHERE id = ANY($1::uuid[]) AND status = 'PENDING'`,
};

// One replica at a time runs the job (its advisory lock), and deleting a key twice is harmless: no lease.
const LATE_UPLOAD_KEYS_DUE = {
  name: 'jobs_late_upload_keys_due',
  // Only settled rows carry the mark (no transition leads back to PENDING); the status guards the deletes all the same.
  text: `SELECT * FROM assets WHERE late_upload_cleanup_after < now() - make_interval(secs => $1) AND status IN ('READY', 'FAILED', 'DELETED')
         ORDER BY late_upload_cleanup_after LIMIT $2`,
};
const LATE_UPLOAD_KEYS_CLEARED = {
  name: 'jobs_late_upload_keys_cleared',
  text: 'UPDATE assets SET late_upload_cleanup_after = NULL WHERE id = ANY($1::uuid[])',
};
const LATE_UPLOAD_KEYS_RETRY_LATER = {
  name: 'jobs_late_upload_keys_retry_later',
  text: 'UPDATE assets SET late_upload_cleanup_after = now() + make_interval(secs => $2) WHERE id = ANY($1::uuid[])',
};

/** The background jobs' statements; each claims or removes one batch. */
export class JobQueries {
  /** A pool, or a client inside a transaction (tests hold claims open that way). */
  constructor(private readonly pool: Pick<pg.Pool, 'query'>) {}

  /** PENDING assets whose upload window closed more than `graceSeconds` ago, leased to the caller for `leaseSeconds`. */
  claimStaleUploads(graceSeconds: number, limit: number, leaseSeconds: number): Promise<Asset[]> {
    return withDatabaseErrors(async () => {
      const result = await this.pool.query<AssetRow>({ ...CLAIM_STALE_UPLOADS, values: [graceSeconds, limit, leaseSeconds] });
      return result.rows.map(toAsset);
    });
  }

  /** Settled assets whose upload URL died more than `graceSeconds` ago, their uploads not yet cleared. */
  lateUploadKeysDue(graceSeconds: number, limit: number): Promise<Asset[]> {
    return withDatabaseErrors(async () => {
      const result = await this.pool.query<AssetRow>({ ...LATE_UPLOAD_KEYS_DUE, values: [graceSeconds, limit] });
      return result.rows.map(toAsset);
    });
  }

  /** Marks the keys of `ids` as cleared: no upload can reach them any more. */
  lateUploadKeysCleared(ids: string[]): Promise<void> {
    return withDatabaseErrors(async () => {
      await this.pool.query({ ...LATE_UPLOAD_KEYS_CLEARED, values: [ids] });
    });
  }

  /** Puts the keys of `ids` back in the queue, due again in `delaySeconds`: storage would not delete them just now. */
  lateUploadKeysRetryLater(ids: string[], delaySeconds: number): Promise<void> {
    return withDatabaseErrors(async () => {
      await this.pool.query({ ...LATE_UPLOAD_KEYS_RETRY_LATER, values: [ids, delaySeconds] });
    });
  }

  /** Removes up to `limit` DELETED rows deleted more than `retentionDays` ago. */
  purgeDeleted(retentionDays: number, limit: number): Promise<PurgedAsset[]> {
    return withDatabaseErrors(async () => {
      const result = await this.pool.query<Pick<AssetRow, 'id' | 'owner_id' | 'namespace' | 'size_bytes'>>({ ...PURGE_DELETED, values: [retentionDays, limit] });
      return result.rows.map((r) => ({ id: r.id, ownerId: r.owner_id, namespace: r.namespace, sizeBytes: Number(r.size_bytes) }));
    });
  }

  /** Those of `keys` in `bucket` that belong to a PENDING or READY asset. */
  liveKeys(bucket: string, keys: string[]): Promise<Set<string>> {
    return withDatabaseErrors(async () => {
      const result = await this.pool.query<{ storage_key: string }>({ ...LIVE_KEYS, values: [bucket, keys] });
      return new Set(result.rows.map((r) => r.storage_key));
    });
  }

  /** Those of `assetIds` whose upload (at its staging key) still waits for its confirm. */
  liveUploads(assetIds: string[]): Promise<Set<string>> {
    return withDatabaseErrors(async () => {
      const result = await this.pool.query<{ id: string }>({ ...LIVE_UPLOADS, values: [assetIds] });
      return new Set(result.rows.map((r) => r.id));
    });
  }
}
