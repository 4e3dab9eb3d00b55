export { AssetsClient, type AssetsClientOptions } from './client.js';
export {
  AssetsError,
  ConflictError,
  DatabaseUnavailableError,
  ForbiddenError,
  IntegrityError,
  InternalError,
  NetworkError,
  NotFoundError,
  QuotaExceededError,
  RateLimitError,
  RedisUnavailableError,
  StateError,
  StorageUnavailableError,
  UnauthenticatedError,
  UploadRejectedError,
  ValidationError,
  type ClientErrorCode,
  type ServiceErrorCode,
} from './errors.js';
export type { TokenSource } from './graphql.js';
export type { RetryEvent, RetryOptions } from './retry.js';
export type { Asset, AssetPage, AssetStatus, AssetVisibility, ListOptions, UploadOptions, UploadProgress } from './types.js';
export type { UploadData } from './upload-body.js';
