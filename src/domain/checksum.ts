import { validationError } from './errors.js';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** Accepts a SHA-256 digest as hex or base64 (as S3's x-amz-checksum-sha256 carries it); returns lowercase hex. */
export function normalizeSha256(value: string, field = 'checksum'): string {
  if (HEX_SHA256.test(value)) return value.toLowerCase();
  if (BASE64_SHA256.test(value)) return Buffer.from(value, 'base64').toString('hex');
  throw validationError(`${field} must be a SHA-256 digest: 64 hex characters or 44 base64 characters.`, field);
}

export function sha256HexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}
