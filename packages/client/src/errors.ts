/** The service's `extensions.code` values (README, "Errors"). */
export type ServiceErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'VALIDATION_ERROR'
  | 'NOT_FOUND'
  | 'STATE_ERROR'
  | 'CONFLICT'
  | 'INTEGRITY_ERROR'
  | 'RATE_LIMIT_EXCEEDED'
  | 'QUOTA_EXCEEDED'
  | 'STORAGE_UNAVAILABLE'
  | 'DATABASE_UNAVAILABLE'
  | 'REDIS_UNAVAILABLE'
  | 'INTERNAL';

/** Failures the client itself detects: the service or storage could not be reached, or storage refused the bytes. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'UPLOAD_REJECTED' | 'UNSUPPORTED_ENVIRONMENT';

/** Every error the client throws (besides an abort, which rethrows the signal's reason). */
export class AssetsError extends Error {
  /** Worth retrying as is: the client already did, with backoff, before throwing it. */
  readonly transient: boolean;

  constructor(
    readonly code: ServiceErrorCode | ClientErrorCode | (string & {}),
    message: string,
    /** The error's `extensions` (e.g. field, failureReason, retryAfterSeconds), as the service sent them. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.transient = TRANSIENT.has(code);
  }

  /** The service's advice to wait, in seconds, when it gave one. */
  get retryAfterSeconds(): number | undefined {
    const value = this.details.retryAfterSeconds;
    return typeof value === 'number' ? value : undefined;
  }
}

const TRANSIENT = new Set<string>(['NETWORK_ERROR', 'STORAGE_UNAVAILABLE', 'DATABASE_UNAVAILABLE', 'REDIS_UNAVAILABLE']);

export class UnauthenticatedError extends AssetsError {}
export class ForbiddenError extends AssetsError {}
export class ValidationError extends AssetsError {
  /** The input field at fault, when the service named one. */
  get field(): string | undefined {
    return typeof this.details.field === 'string' ? this.details.field : undefined;
  }
}
export class NotFoundError extends AssetsError {}
export class StateError extends AssetsError {}
export class ConflictError extends AssetsError {}
/** The uploaded bytes were not what was declared; the asset is FAILED and its object deleted. */
export class IntegrityError extends AssetsError {
  /** Which check failed: SIZE_MISMATCH, CONTENT_MISMATCH, CHECKSUM_MISMATCH, UNSAFE_SVG... */
  get failureReason(): string | undefined {
    return typeof this.details.failureReason === 'string' ? this.details.failureReason : undefined;
  }
}
export class RateLimitError extends AssetsError {}
/** The owner's assets would exceed the storage quota: delete some first (waiting does not help). */
export class QuotaExceededError extends AssetsError {}
export class StorageUnavailableError extends AssetsError {}
export class DatabaseUnavailableError extends AssetsError {}
/** Redis, where the service counts the rate limits (when configured), did not answer. */
export class RedisUnavailableError extends AssetsError {}
export class InternalError extends AssetsError {}
/** No answer (connection refused, reset, DNS), or an HTTP 5xx from something in front of the service or storage. */
export class NetworkError extends AssetsError {}
/** Storage refused the PUT of the bytes (e.g. 403: the upload URL expired or a signed header differs). */
export class UploadRejectedError extends AssetsError {}

const BY_CODE: Record<ServiceErrorCode, new (code: string, message: string, details: Record<string, unknown>) => AssetsError> = {
  UNAUTHENTICATED: UnauthenticatedError,
  FORBIDDEN: ForbiddenError,
  VALIDATION_ERROR: ValidationError,
  NOT_FOUND: NotFoundError,
  STATE_ERROR: StateError,
  CONFLICT: ConflictError,
  INTEGRITY_ERROR: IntegrityError,
  RATE_LIMIT_EXCEEDED: RateLimitError,
  QUOTA_EXCEEDED: QuotaExceededError,
  STORAGE_UNAVAILABLE: StorageUnavailableError,
  DATABASE_UNAVAILABLE: DatabaseUnavailableError,
  REDIS_UNAVAILABLE: RedisUnavailableError,
  INTERNAL: InternalError,
};

/** A GraphQL error of the service as the typed error of its code; unknown codes stay plain AssetsError. */
export function errorFromGraphQL(error: { message: string; extensions?: Record<string, unknown> }): AssetsError {
  const details = error.extensions ?? {};
  const code = typeof details.code === 'string' ? details.code : 'INTERNAL';
  const ErrorClass = BY_CODE[code as ServiceErrorCode] ?? AssetsError;
  return new ErrorClass(code, error.message, details);
}

/** An error's message with its cause's (Node's fetch hides the real reason, e.g. ECONNREFUSED, in `cause`). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
