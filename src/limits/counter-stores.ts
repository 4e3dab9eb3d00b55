import type pg from 'pg';
import type { Logger } from 'pino';
import type { CounterStore } from './counter-store.js';
import { postgresCounters } from './postgres-counters.js';
import { redisCounters } from './redis-counters.js';
import { RedisConnection, type RedisSettings } from './redis-connection.js';

/** The store the rate windows count in, with what the service must check and close for it. */
export interface OpenCounterStore {
  store: CounterStore;
  /** Readiness checks of its own: Redis, when it counts (PostgreSQL is checked anyway). */
  health: { redis?: () => Promise<void> };
  close(): Promise<void>;
}

/** Redis when REDIS_URL is set (it must answer now, or the start fails), else the service's PostgreSQL. */
export async function openCounterStore(pool: pg.Pool, redisSettings: RedisSettings | undefined, logger: Logger): Promise<OpenCounterStore> {
  if (!redisSettings) return { store: postgresCounters(pool), health: {}, close: async () => undefined };
  const redis = await RedisConnection.open(redisSettings, logger);
  logger.info({ redis: new URL(redisSettings.url).host, timeoutMs: redisSettings.timeoutMs }, 'Rate limits are counted in Redis');
  return { store: redisCounters(redis.client, logger), health: { redis: () => redis.ping() }, close: () => redis.close() };
}
