import { AssetError } from '../domain/errors.js';

/** The fields of an SDK error (or a Node network error) that tell what went wrong. */
export interface StorageFailure {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

// EOPENBREAKER: our circuit breaker refused the call because storage was just found unreachable.
const NETWORK_CODES = new Set(['EOPENBREAKER', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'AbortError']);

export function errorName(error: unknown): string {
  const e = error as StorageFailure;
  if (e?.code === 'EOPENBREAKER') return 'CircuitOpen';
  return e?.Code ?? e?.name ?? e?.code ?? 'Error';
}

/** Node's error codes of a failure: its own and, when the SDK wraps Node's error, its cause's. */
function networkCodes(error: unknown): (string | undefined)[] {
  const e = error as StorageFailure & { cause?: StorageFailure };
  return [e?.code, e?.cause?.code];
}

/** True for failures of the connection itself (not an answer from storage): the store is down or unreachable. */
export function isUnreachable(error: unknown): boolean {
  const codes = [...networkCodes(error), (error as StorageFailure)?.name];
  return codes.some((c) => c !== undefined && (NETWORK_CODES.has(c) || TIMEOUT_NAMES.has(c)));
}

/** The host name did not resolve: a typo, or (virtual-hosted style) a bucket subdomain nobody serves. */
export function isDnsFailure(error: unknown): boolean {
  return networkCodes(error).some((c) => c === 'ENOTFOUND' || c === 'EAI_AGAIN');
}

/**
 * The TLS handshake failed (EPROTO, "wrong version number"): HTTPS spoken to a port that answers plain
 * HTTP. A setting to fix, not an outage, so not unreachable: it must not open the circuit breaker.
 */
export function isTlsMismatch(error: unknown): boolean {
  return networkCodes(error).includes('EPROTO');
}

/**
 * An answer in HTML: a website, a CDN or the public custom domain answered where the S3 API was
 * expected (S3-compatible stores answer errors in XML, or with no body at all).
 */
export function isWebPageAnswer(error: unknown): boolean {
  const headers = (error as { $response?: { headers?: Record<string, string | undefined> } })?.$response?.headers;
  return /^text\/html\b/i.test(headers?.['content-type'] ?? '');
}

export function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NotFound' || name === 'NoSuchKey' || (error as StorageFailure)?.$metadata?.httpStatusCode === 404;
}

/** The object is not there, in a bucket that is: a missing bucket (also a 404) is the store's fault, not an absent object. */
export function isMissingObject(error: unknown): boolean {
  return isNotFound(error) && errorName(error) !== 'NoSuchBucket';
}

/** A condition of the request (such as x-amz-copy-source-if-match) did not hold. */
export function isPreconditionFailed(error: unknown): boolean {
  return errorName(error) === 'PreconditionFailed' || (error as StorageFailure)?.$metadata?.httpStatusCode === 412;
}

/** Storage refused the credentials this call was made with (S3's AccessDenied, R2's Forbidden, or a bare 403). */
export function isAccessDenied(error: unknown): boolean {
  const name = errorName(error);
  return name === 'AccessDenied' || name === 'Forbidden' || (error as StorageFailure)?.$metadata?.httpStatusCode === 403;
}

/** What the API reports when storage cannot do its part: a retry hint, never the raw SDK error. */
export function storageUnavailable(operation: string, error: unknown): AssetError {
  return new AssetError('STORAGE_UNAVAILABLE', `Object storage could not ${operation} (${errorName(error)}); retry in a few seconds.`, {
    retryAfterSeconds: 5,
  });
}
