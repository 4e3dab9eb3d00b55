import { validationError } from './errors.js';

/** What a client asks for when it starts an upload. */
export interface UploadRequest {
  namespace: string;
  filename: string;
  mimeType: string;
  sizeBytes: number;
  idempotencyKey?: string | null;
  /** SHA-256 of the file (hex or base64); storage and confirm then verify the bytes against it. */
  checksum?: string | null;
}

const MAX_FILENAME_LENGTH = 255;
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Rejects what can never be valid, whatever the namespace: the original filename is kept as
 * metadata (never part of a key), so it only has to be a plain name a person would recognise.
 */
export function assertWellFormed(request: UploadRequest): void {
  const { filename, mimeType, idempotencyKey } = request;
  if (filename.length === 0 || filename.length > MAX_FILENAME_LENGTH) {
    throw validationError(`filename must be 1-${MAX_FILENAME_LENGTH} characters long.`, 'filename');
  }
  if (/[\u0000-\u001f\u007f/\\]/.test(filename) || filename === '.' || filename === '..') {
    throw validationError('filename must be a plain file name: no path separators ("/", "\\") and no control characters.', 'filename');
  }
  if (!MIME_TYPE.test(mimeType)) {
    throw validationError(`mimeType "${mimeType}" is not a MIME type such as "image/png" (lowercase, no parameters).`, 'mimeType');
  }
  if (idempotencyKey != null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw validationError('idempotencyKey must be 1-255 visible ASCII characters (no spaces).', 'idempotencyKey');
  }
}
