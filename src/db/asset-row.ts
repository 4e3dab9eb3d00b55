import type { Asset, AssetStatus, FailureReason, Visibility } from '../domain/asset.js';

/** The assets table's columns as node-postgres returns them (bigint arrives as a string). */
export interface AssetRow {
  id: string;
  owner_id: string;
  namespace: string;
  visibility: Visibility;
  storage_key: string;
  storage_region: string;
  storage_bucket: string;
  mime_type: string;
  size_bytes: string;
  checksum: string | null;
  original_filename: string;
  upload_expires_at: Date;
  status: AssetStatus;
  failure_reason: FailureReason | null;
  idempotency_key: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  deleted_by: string | null;
}

export function toAsset(row: AssetRow): Asset {
  return {
    id: row.id,
    ownerId: row.owner_id,
    namespace: row.namespace,
    visibility: row.visibility,
    storageKey: row.storage_key,
    storageRegion: row.storage_region,
    storageBucket: row.storage_bucket,
    mimeType: row.mime_type,
    sizeBytes: Number(row.size_bytes),
    checksum: row.checksum,
    originalFilename: row.original_filename,
    uploadExpiresAt: row.upload_expires_at,
    status: row.status,
    failureReason: row.failure_reason,
    idempotencyKey: row.idempotency_key,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    deletedBy: row.deleted_by,
  };
}
