export type AssetStatus = 'PENDING' | 'READY' | 'FAILED' | 'DELETED';
export type AssetVisibility = 'PUBLIC' | 'PRIVATE';

/** An asset as the service describes it. Times are ISO-8601 strings in UTC. */
export interface Asset {
  id: string;
  ownerId: string;
  namespace: string;
  visibility: AssetVisibility;
  storageKey: string;
  mimeType: string;
  sizeBytes: number;
  /** SHA-256 (hex) of the stored bytes, once READY. */
  checksum: string | null;
  originalFilename: string;
  status: AssetStatus;
  /** Why a FAILED asset failed (e.g. CONTENT_MISMATCH). */
  failureReason: string | null;
  /** READY PUBLIC assets: a permanent URL anyone can GET. */
  publicUrl: string | null;
  /**
   * READY PRIVATE assets: a presigned GET, valid for an hour (see AssetsClient.downloadUrl for another lifetime);
   * null for a token without assets:asset:view.
   */
  downloadUrl: string | null;
  idempotencyKey: string | null;
  createdAt: string;
  updatedAt: string;
}

/** An asset as createAssetUpload returns it: where and how to PUT the bytes. */
export interface PendingUpload extends Asset {
  uploadUrl: string | null;
  uploadHeaders: { name: string; value: string }[] | null;
  /** When uploadUrl stops working (ISO 8601); null once the asset is settled. */
  uploadExpiresAt: string | null;
}

export interface ListOptions {
  namespace?: string;
  status?: AssetStatus;
  /** Also other owners' READY PUBLIC assets. */
  includePublic?: boolean;
  /** Page size, 1 to 100; default 20. */
  first?: number;
  /** `endCursor` of the previous page. */
  after?: string | null;
  signal?: AbortSignal;
}

export interface AssetPage {
  assets: Asset[];
  hasNextPage: boolean;
  /** Pass as `after` for the next page. */
  endCursor: string | null;
}

export interface UploadProgress {
  /** Bytes sent to storage so far (restarts at 0 when a failed PUT is retried). */
  loaded: number;
  total: number;
}

export interface UploadOptions {
  namespace: string;
  /** Default: the File's name. */
  filename?: string;
  /** Default: the Blob's type. */
  mimeType?: string;
  /** Repeating an upload with the same key returns the same asset instead of a second one. Default: a random key per call. */
  idempotencyKey?: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}
