import type { Asset, FailureReason } from './asset.js';
import type { NamespaceRules } from './namespace.js';
import type { ContentInspector, ObjectLocation, ObjectStorage } from './ports.js';

/** Enough for every type signature and most image headers. */
const HEAD_BYTES = 64 * 1024;
/**
 * Images and SVGs up to this size are read whole: dimensions may sit late in a JPEG, scripts anywhere
 * in an SVG. So are Office Open XML packages: the ZIP entry that names the document type,
 * [Content_Types].xml, may come after the media (some generators write it last).
 */
const WHOLE_BODY_LIMIT = 16 * 1024 * 1024;
const READ_WHOLE = /^(image\/|application\/vnd\.openxmlformats-officedocument\.)/;

export interface Verdict {
  failure: FailureReason | null;
  /** SHA-256 of the stored bytes, when they were read whole. */
  sha256Hex?: string;
  /** The ETag of the bytes judged. */
  etag?: string;
}

/**
 * Checks the uploaded object (at `upload`) against the declaration with one GET: its metadata first
 * (the body is not read when size or type differ), then the checksum and content, streamed.
 * `expectedSha256` is the checksum declared at create or given at confirm.
 */
export async function verifyUpload(
  storage: ObjectStorage,
  inspector: ContentInspector,
  asset: Asset,
  upload: ObjectLocation,
  rules: NamespaceRules,
  expectedSha256: string | null,
): Promise<Verdict> {
  const readWhole = READ_WHOLE.test(asset.mimeType) && asset.sizeBytes <= WHOLE_BODY_LIMIT;
  const sample = await storage.sampleObject(upload.bucket, upload.key, {
    expected: { sizeBytes: asset.sizeBytes, contentType: asset.mimeType },
    headBytes: HEAD_BYTES,
    wholeBody: readWhole,
    sha256: expectedSha256 !== null,
  });
  if (!sample) return { failure: 'OBJECT_MISSING' };
  if (sample.sizeBytes !== asset.sizeBytes) return { failure: 'SIZE_MISMATCH' };
  if (sample.contentType !== asset.mimeType) return { failure: 'CONTENT_TYPE_MISMATCH' };
  if (expectedSha256 !== null && sample.sha256Hex !== expectedSha256) return { failure: 'CHECKSUM_MISMATCH' };
  const failure = await inspector.inspect(sample, { mimeType: asset.mimeType, visibility: asset.visibility, imageLimits: rules.imageLimits });
  return { failure, sha256Hex: sample.sha256Hex, etag: sample.etag };
}
