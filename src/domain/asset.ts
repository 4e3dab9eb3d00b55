export type AssetStatus = 'PENDING' | 'READY' | 'FAILED' | 'DELETED';
export type Visibility = 'PUBLIC' | 'PRIVATE';

/** Why an upload did not become READY; stored and exposed so clients can react. */
export type FailureReason =
  | 'OBJECT_MISSING'
  | 'SIZE_MISMATCH'
  | 'CONTENT_TYPE_MISMATCH'
  | 'CHECKSUM_MISMATCH'
  | 'CONTENT_MISMATCH'
  | 'BINARY_CONTENT'
  | 'UNSAFE_SVG'
  | 'IMAGE_UNREADABLE'
  | 'IMAGE_TOO_LARGE'
  | 'UPLOAD_EXPIRED';

/** One file's metadata: the row in PostgreSQL, independent of any driver. */
export interface Asset {
  id: string;
  ownerId: string;
  namespace: string;
  visibility: Visibility;
  storageKey: string;
  storageRegion: string;
  storageBucket: string;
  mimeType: string;
  sizeBytes: number;
  checksum: string | null;
  originalFilename: string;
  uploadExpiresAt: Date;
  status: AssetStatus;
  failureReason: FailureReason | null;
  idempotencyKey: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  deletedBy: string | null;
}

/** Fields a new asset is created with; the repository fills status, version and timestamps. */
export type NewAsset = Omit<
  Asset,
  'status' | 'failureReason' | 'version' | 'updatedAt' | 'deletedAt' | 'deletedBy'
>;

/** Who may see an asset at all: PUBLIC ones any authenticated caller, PRIVATE ones the owner only. */
export function isVisibleTo(asset: Asset, ownerId: string): boolean {
  if (asset.status === 'DELETED') return false;
  return asset.visibility === 'PUBLIC' || asset.ownerId === ownerId;
}
