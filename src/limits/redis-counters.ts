import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { AssetError } from '../domain/errors.js';
import type { CounterStore } from './counter-store.js';

/** Keys of this service, apart from whatever else shares the Redis database. */
const KEY_PREFIX = 'neotool-assets:upload-limits';

/** What a caller gets while Redis cannot count: a retryable error naming the dependency and the fix. */
export function redisUnavailable(): AssetError {
  return new AssetError(
    'REDIS_UNAVAILABLE',
    'Redis, where the per-owner upload rate limits are counted, is not answering; retry in a few seconds. Operators: check that the Redis at REDIS_URL is up and reachable.',
    { retryAfterSeconds: 5 },
  );
}

/**
 * The counters in Redis. Every failure of a Redis call (connection down, command timed out, Redis
 * refusing to write) means the upload cannot be counted, so it is refused with REDIS_UNAVAILABLE rather
 * than admitted uncounted. Failures while the connection is up are logged; a lost connection is
 * logged once by the connection itself (redis-connection.ts).
 */
export function redisCounters(client: Redis, logger: Logger): CounterStore {
  const warn = throttledWarning(logger, WARNING_INTERVAL_MS);
  return {
    // rejectIfRedisNotReady: with no connection, fail at once instead of queueing the command.
    limiter: (options) => new RateLimiterRedis({ ...options, keyPrefix: `${KEY_PREFIX}:${options.keyPrefix}`, storeClient: client, rejectIfRedisNotReady: true }),
    guard: async (work) => {
      try {
        return await work();
      } catch (error) {
        if (client.status === 'ready') warn(error);
        throw redisUnavailable();
      }
    },
  };
}

/** A slow Redis fails every upload: one warning per interval, saying how many it stands for, not one each. */
const WARNING_INTERVAL_MS = 10_000;

export function throttledWarning(logger: Logger, intervalMs: number, now: () => number = Date.now): (error: unknown) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (error) => {
    if (now() - lastAt < intervalMs) return void suppressed++;
    logger.warn({ err: error, failuresSinceLastWarning: suppressed }, 'Redis failed to count an upload against the rate limits');
    lastAt = now();
    suppressed = 0;
  };
}
