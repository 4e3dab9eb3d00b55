import type { Asset, AssetStatus, FailureReason, NewAsset } from './asset.js';

/** Persistence the lifecycle needs; implemented over PostgreSQL in src/db. */
export interface AssetRepository {
  /**
   * Inserts the asset, or returns the asset already holding (ownerId, idempotencyKey).
   * Must be atomic in the database so that concurrent duplicates yield one row.
   */
  insertOrFindByIdempotencyKey(asset: NewAsset): Promise<{ asset: Asset; created: boolean }>;
  /** Frees an asset's idempotency key so that a new upload may use it. */
  releaseIdempotencyKey(id: string): Promise<void>;
  findById(id: string): Promise<Asset | null>;
  /** Optimistic update: applies only when the row still has `expectedVersion`; returns null otherwise. */
  transition(id: string, expectedVersion: number, change: StatusChange): Promise<Asset | null>;
}

export interface StatusChange {
  status: AssetStatus;
  failureReason?: FailureReason;
  checksum?: string;
  deletedBy?: string;
}

/** What storage reports about an uploaded object. */
export interface StoredObject {
  sizeBytes: number;
  contentType: string | undefined;
}

/** Object storage as the lifecycle sees it; implemented over S3 in src/storage. */
export interface ObjectStorage {
  /** A presigned PUT that storage accepts only with exactly these headers. */
  presignUpload(target: UploadTarget): string;
  presignDownload(bucket: string, key: string, ttlSeconds: number): string;
  publicUrl(key: string): string;
  headObject(bucket: string, key: string): Promise<StoredObject | null>;
  deleteObject(bucket: string, key: string): Promise<void>;
}

export interface UploadTarget {
  bucket: string;
  key: string;
  contentType: string;
  contentLength: number;
  /** Signing time and lifetime: the same asset always yields the same URL. */
  signedAt: Date;
  expiresInSeconds: number;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  next(): string;
}
