import { validationError } from './errors.js';
import { hasLoneSurrogate } from './unicode.js';

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
const PATH_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f/\\]/;
// Bidirectional controls make a name display as another ("x\u202Egnp.exe" shows as "xexe.png").
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
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
  const problem = filenameProblem(filename);
  if (problem) throw validationError(`filename must be a plain file name: ${problem}.`, 'filename');
  if (!MIME_TYPE.test(mimeType)) {
    throw validationError(`mimeType "${mimeType}" is not a MIME type such as "image/png" (lowercase, no parameters).`, 'mimeType');
  }
  if (idempotencyKey != null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw validationError('idempotencyKey must be 1-255 visible ASCII characters (no spaces).', 'idempotencyKey');
  }
}

/** Why `filename` is not a name a person would recognise, if it is not. */
function filenameProblem(filename: string): string | undefined {
  if (PATH_OR_CONTROL.test(filename)) return 'no path separators ("/", "\\") and no control characters';
  // Stored as U+FFFD, the same request repeated would no longer match its own asset (CONFLICT).
  if (hasLoneSurrogate(filename)) return 'no unpaired UTF-16 surrogate (\\uD800-\\uDFFF without its pair), which is no character';
  if (BIDI_CONTROL.test(filename)) return 'no bidirectional control characters (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which make a name display as another';
  if (filename.trim() === '') return 'not only spaces';
  if (filename === '.' || filename === '..') return 'not "." or ".."';
  return undefined;
}
