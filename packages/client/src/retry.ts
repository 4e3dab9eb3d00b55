import { AssetsError } from './errors.js';

export interface RetryOptions {
  /** Retries after the first attempt; 0 turns retrying off. Default 4. */
  retries?: number;
  /** Delay before the first retry, doubled for each further one (with jitter). Default 250 ms. */
  baseDelayMs?: number;
  /** Longest wait between two attempts, also for a service that asks for a longer one. Default 8000 ms. */
  maxDelayMs?: number;
}

/** Told before each retry: what failed, and how long the client waits before trying again. */
export interface RetryEvent {
  operation: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  error: AssetsError;
}

export interface RetryContext {
  options: Required<RetryOptions>;
  signal?: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { retries: 4, baseDelayMs: 250, maxDelayMs: 8000 };

/**
 * Runs `attempt` until it succeeds, fails with an error that is not transient, or runs out of
 * retries. `attempt` must be safe to repeat: the client makes it so (same idempotency key,
 * a PUT that only replaces the upload until confirm, idempotent confirm).
 */
export async function withRetry<T>(operation: string, attempt: (retry: number) => Promise<T>, context: RetryContext): Promise<T> {
  for (let retry = 0; ; retry++) {
    context.signal?.throwIfAborted();
    try {
      return await attempt(retry);
    } catch (error) {
      if (!(error instanceof AssetsError) || !error.transient || retry >= context.options.retries) throw error;
      const delayMs = backoffDelay(retry, error, context.options);
      context.onRetry?.({ operation, retry: retry + 1, delayMs, error });
      await sleep(delayMs, context.signal);
    }
  }
}

/**
 * Exponential backoff with "equal jitter" (half fixed, half random), so that many clients that
 * failed together do not retry together; never shorter than what the service asked for.
 */
function backoffDelay(retry: number, error: AssetsError, options: Required<RetryOptions>): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  const asked = (error.retryAfterSeconds ?? 0) * 1000;
  return Math.round(Math.min(options.maxDelayMs, Math.max(jittered, asked)));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', abort, { once: true });
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
  });
}
