import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type pg from 'pg';
import { withDatabaseErrors } from '../db/database-errors.js';
import type { CounterStore } from './counter-store.js';

/**
 * The counters in the table of migration 004_upload_limits.sql, created there (not by the library)
 * so that byte counts fit and replicas never race to create it; reached through the service's pool.
 */
export function postgresCounters(pool: pg.Pool): CounterStore {
  return {
    limiter: (options) => new RateLimiterPostgres({ ...options, storeClient: pool, tableName: 'upload_limit_counters', tableCreated: true }),
    guard: withDatabaseErrors,
  };
}
