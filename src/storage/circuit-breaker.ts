import type { S3Client } from '@aws-sdk/client-s3';
import CircuitBreaker from 'opossum';
import { isUnreachable } from './storage-errors.js';

export interface BreakerOptions {
  /** How long calls fail fast once storage is considered down, before one trial call is let through. */
  resetTimeoutMs: number;
  /** Calls in the rolling window before the error rate can open the circuit. */
  volumeThreshold: number;
}

/**
 * Fails storage calls fast while the store is unreachable, instead of letting every request wait
 * for its own timeout. Only connection failures count: an answer such as NoSuchKey means storage is up.
 */
export function addCircuitBreaker(client: S3Client, options: BreakerOptions): CircuitBreaker {
  type Next = (args: unknown) => Promise<unknown>;
  const breaker = new CircuitBreaker((next: Next, args: unknown) => next(args), {
    timeout: false,
    errorThresholdPercentage: 50,
    resetTimeout: options.resetTimeoutMs,
    volumeThreshold: options.volumeThreshold,
    errorFilter: (error: unknown) => !isUnreachable(error),
  });
  client.middlewareStack.add(
    (next) => (args) => breaker.fire(next as Next, args) as ReturnType<typeof next>,
    { step: 'initialize', name: 'storageCircuitBreaker', priority: 'low' },
  );
  return breaker;
}
