/** Error codes of the public contract (SPEC §3). Every failure the API reports carries one. */
export type ErrorCode =
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

/** A failure the caller can act on: the message says what to do, `details` carries machine-readable extras. */
export class AssetError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AssetError';
  }
}

export const validationError = (message: string, field?: string): AssetError =>
  new AssetError('VALIDATION_ERROR', message, field ? { field } : {});

/** Used for every "you may not see this" case so that existence is never revealed. */
export const notFound = (assetId: string): AssetError =>
  new AssetError('NOT_FOUND', `Asset ${assetId} does not exist or is not visible to you; check the id.`);
