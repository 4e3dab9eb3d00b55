import type { RateLimiterStoreAbstract } from 'rate-limiter-flexible';

/** One fixed window of rate-limiter-flexible, whatever store keeps its counters. */
export interface WindowOptions {
  keyPrefix: string;
  points: number;
  duration: number;
}

/**
 * Where the rate windows keep their counters, shared by all replicas: PostgreSQL by default, Redis
 * when REDIS_URL is set. Only the limiter's construction and the meaning of a store failure differ;
 * counting, coalescing and refusals are the same code for both.
 */
export interface CounterStore {
  limiter(options: WindowOptions): RateLimiterStoreAbstract;
  /** Runs a call on the store, turning its outage into the API error that names it. */
  guard<T>(work: () => Promise<T>): Promise<T>;
}
