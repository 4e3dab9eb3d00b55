import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';

export interface Polling<T> {
  /** Whether a probed value is the awaited one; by default any truthy value is. */
  until?: (value: T) => boolean;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Probes until it gives the awaited value, and returns that value. Fails once `timeoutMs` have passed,
 * naming `what` was awaited (a function, to describe the state at that moment) and the last value seen.
 */
export async function eventually<T>(probe: () => T | Promise<T>, what: string | (() => string), { until = Boolean, timeoutMs = 10_000, intervalMs = 100 }: Polling<T> = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()} (last probe: ${inspect(value)})`);
    await sleep(intervalMs);
  }
}
