import type { Asset, AssetStatus, FailureReason, NewAsset, Visibility } from './asset.js';
import type { ListCriteria } from './asset-list.js';

/** What inserting a new upload did: stored it, found the asset already holding its idempotency key, or refused it. */
export type InsertOutcome = { asset: Asset; created: boolean } | { overQuota: true };

/** Persistence the lifecycle needs; implemented over PostgreSQL in src/db. */
export interface AssetRepository {
  /**
   * Inserts the asset, or returns the asset already holding (ownerId, idempotencyKey), or refuses it
   * because the owner's storage quota has no room for it (checked with the insert, exactly).
   * Must be atomic in the database so that concurrent duplicates yield one row.
   */
  insertOrFindByIdempotencyKey(asset: NewAsset): Promise<InsertOutcome>;
  /** Frees an asset's idempotency key so that a new upload may use it. */
  releaseIdempotencyKey(id: string): Promise<void>;
  findByIdempotencyKey(ownerId: string, idempotencyKey: string): Promise<Asset | null>;
  findById(id: string): Promise<Asset | null>;
  /** Assets matching the criteria, newest first (createdAt, then id, descending); never DELETED ones. */
  list(criteria: ListCriteria): Promise<Asset[]>;
  /** Optimistic update: applies only when the row still has `expectedVersion`; returns null otherwise. */
  transition(id: string, expectedVersion: number, change: StatusChange): Promise<Asset | null>;
}

/** Where an asset goes from PENDING (or READY, for DELETED): never back to PENDING. */
export interface StatusChange {
  status: Exclude<AssetStatus, 'PENDING'>;
  failureReason?: FailureReason;
  checksum?: string;
  deletedBy?: string;
}

/** What storage reports about an uploaded object. */
export interface StoredObject {
  sizeBytes: number;
  contentType: string | undefined;
}

/**
 * What to read of an object: its first bytes always; the whole body and its SHA-256 only when needed.
 * When storage holds another size or type than `expected`, no body is read at all.
 */
export interface SampleRequest {
  expected: StoredObject;
  headBytes: number;
  wholeBody: boolean;
  sha256: boolean;
}

/** Bytes read back from storage, streamed (never more than the object's declared size kept in memory); head is empty when the metadata did not match. */
export interface ObjectSample extends StoredObject {
  /** Names exactly these bytes: a copy made on the condition that the source still has it copies what was checked. */
  etag?: string;
  head: Uint8Array;
  body?: Uint8Array;
  sha256Hex?: string;
}

/** Judges bytes against what was declared: type signatures, text, SVG safety, image dimensions. */
export interface ContentInspector {
  inspect(sample: ObjectSample, declared: DeclaredContent): Promise<FailureReason | null>;
}

export interface DeclaredContent {
  mimeType: string;
  visibility: Visibility;
  imageLimits: ImageLimits;
}

export interface ImageLimits {
  maxWidth: number;
  maxHeight: number;
  /** Decompression-bomb ceiling: a small file can declare a huge canvas. */
  maxPixels: number;
}

/** Object storage as the lifecycle sees it; implemented over S3 in src/storage. */
export interface ObjectStorage {
  /** A presigned PUT that storage accepts only with exactly these headers. */
  presignUpload(target: UploadTarget): string;
  presignDownload(bucket: string, key: string, ttlSeconds: number): string;
  publicUrl(key: string): string;
  sampleObject(bucket: string, key: string, request: SampleRequest): Promise<ObjectSample | null>;
  /** Copies `source` to `target` if the source still has `source.etag`; false when it changed or is gone. */
  copyObject(source: ObjectLocation & { etag?: string }, target: CopyTarget): Promise<boolean>;
  deleteObject(bucket: string, key: string): Promise<void>;
}

export interface ObjectLocation {
  bucket: string;
  key: string;
}

/** Where a copy goes, and the headers its object is served with. */
export interface CopyTarget extends ObjectLocation {
  contentType: string;
  cacheControl?: string;
}

export interface UploadTarget {
  bucket: string;
  key: string;
  /** Header names and values the PUT must carry, all signed (Content-Length included). */
  headers: Record<string, string>;
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

/** Something that happened to an asset: the audit trail and the metrics are built from these. */
export interface LifecycleEvent {
  type: 'asset.created' | 'asset.confirmed' | 'asset.failed' | 'asset.deleted' | 'asset.expired' | 'asset.rescued' | 'asset.purged';
  asset: Pick<Asset, 'id' | 'ownerId' | 'namespace' | 'sizeBytes'>;
  /** Who caused it: the caller's subject, or the job's name. */
  actor: string;
  reason?: FailureReason;
  requestId?: string;
}

export interface LifecycleEvents {
  emit(event: LifecycleEvent): void;
}

/** Per-owner limits on new uploads (rates and a storage quota), shared by all replicas; implemented in src/limits. */
export interface UploadLimiter {
  /** Counts a new upload of `sizeBytes` against the rate limits; throws RATE_LIMIT_EXCEEDED, counting nothing. */
  admit(ownerId: string, sizeBytes: number): Promise<void>;
  /**
   * Undoes an admit that created no upload (an idempotent repeat, a failed insert). Never fails the
   * request: a lost cancel only leaves the owner's rate counters one upload high until their window ends.
   */
  cancel(ownerId: string, sizeBytes: number): Promise<void>;
  /** The error for an upload the storage quota refused at insert, counted like the limiter's own refusals. */
  quotaRefusal(sizeBytes: number): Error;
}
