import { AssetError } from '../domain/errors.js';
import type { LimitName, LimitRule } from './counted-limit.js';

/** Which rule the upload broke, for the message. */
const RULE: Record<LimitName, (max: number, sizeBytes: number) => string> = {
  burstPerMinute: (max) => `an owner may start at most ${max} uploads per minute`,
  uploadsPerHour: (max) => `an owner may start at most ${max} uploads per hour`,
  bytesPerHour: (max, size) => `an owner may declare at most ${max} bytes of uploads per hour, and this one (${size} bytes) does not fit`,
  quotaBytes: (max, size) => `an owner may hold at most ${max} bytes in READY and PENDING assets, and this upload (${size} bytes) does not fit`,
};

/**
 * The error a refused upload gets: which limit, its value and when to retry, in the extensions.
 * retryAfterSeconds is a whole number, at least 1 for a rate limit; 0 for the quota, where waiting
 * alone does not help.
 */
export function refusal(limit: LimitRule, retryAfterMs: number, sizeBytes: number): AssetError {
  const details = { limit: limit.name, limitValue: limit.max };
  const rule = RULE[limit.name](limit.max, sizeBytes);
  if (limit.kind === 'quota') {
    const advice = 'Delete assets you no longer need (an unconfirmed upload counts until it expires), then retry.';
    return new AssetError('QUOTA_EXCEEDED', `Storage quota exceeded: ${rule}. ${advice}`, { ...details, retryAfterSeconds: 0 });
  }
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AssetError('RATE_LIMIT_EXCEEDED', `Rate limit exceeded: ${rule}. Retry in ${retryAfterSeconds} s.`, { ...details, retryAfterSeconds });
}
