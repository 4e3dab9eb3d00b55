import { z } from 'zod';

/** Per-owner limits on new uploads, shared by all replicas; 0 turns a limit off. */
export interface UploadLimits {
  /** Uploads an owner may start per hour. */
  uploadsPerHour: number;
  /** Uploads an owner may start per minute: how much of the hourly allowance may come at once. */
  burstPerMinute: number;
  /** Bytes an owner may declare (sizeBytes of new uploads) per hour. */
  bytesPerHour: number;
  /** Bytes an owner may hold in READY and PENDING assets. */
  quotaBytes: number;
}

const limit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * The namespaces file's `rateLimit` block: the defaults, each overridable by its environment
 * variable. A file without the block (or with part of it) gets the shipped values.
 */
export const rateLimitSchema = z
  .object({
    uploadsPerHour: limit.default(1000),
    burstPerMinute: limit.default(100),
    bytesPerHour: limit.default(1024 ** 3),
    quotaBytes: limit.default(10 * 1024 ** 3),
  })
  .prefault({});

/** The environment variable that overrides each limit of the file. */
export const UPLOAD_LIMIT_ENV_VARS = {
  uploadsPerHour: 'RATE_LIMIT_UPLOADS_PER_HOUR',
  burstPerMinute: 'RATE_LIMIT_BURST_PER_MINUTE',
  bytesPerHour: 'RATE_LIMIT_BYTES_PER_HOUR',
  quotaBytes: 'STORAGE_QUOTA_BYTES_PER_OWNER',
} as const satisfies Record<keyof UploadLimits, string>;
