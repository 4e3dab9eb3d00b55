import type { UploadLimits } from '../config/upload-limits.js';
import type { UploadLimiter } from '../domain/ports.js';
import type { CountedLimit, LimitName, LimitRule, Refusal, Verdict } from './counted-limit.js';
import type { CounterStore } from './counter-store.js';
import { refusal } from './refusals.js';
import { WindowLimit, type WindowSpec } from './window-limit.js';

export interface LimiterHooks {
  /** Every refused upload, by the limit it was refused for (the rate-limit rejections metric). */
  onRefused(limit: LimitName): void;
  /** A give-back that failed: the request goes on, a counter stays too high for a while (see UploadLimiter). */
  onGiveBackFailed(error: unknown, ownerId: string): void;
}

/**
 * The enabled rate windows (0 turns one off), counted in `counters`. The storage quota is checked by
 * the insert itself (db/asset-inserts.ts), exactly; its refusals are made and counted here, like the rest.
 */
export function createUploadLimiter(counters: CounterStore, limits: UploadLimits, hooks: LimiterHooks): SharedUploadLimiter {
  const windows: WindowSpec[] = [
    { name: 'burstPerMinute', max: limits.burstPerMinute, windowSeconds: 60, counts: 'uploads' },
    { name: 'uploadsPerHour', max: limits.uploadsPerHour, windowSeconds: 3600, counts: 'uploads' },
    { name: 'bytesPerHour', max: limits.bytesPerHour, windowSeconds: 3600, counts: 'bytes' },
  ];
  const enabled: CountedLimit[] = windows.filter((w) => w.max > 0).map((w) => new WindowLimit(counters, w));
  return new SharedUploadLimiter(enabled, hooks, limits.quotaBytes);
}

interface Counted {
  limit: CountedLimit;
  verdict: Verdict;
}

/** Per-owner limits shared by all replicas: an upload is admitted only when every limit has room, and then counts in all. */
export class SharedUploadLimiter implements UploadLimiter {
  private readonly quota: LimitRule;

  constructor(
    private readonly limits: readonly CountedLimit[],
    private readonly hooks: LimiterHooks,
    quotaBytes = 0,
  ) {
    this.quota = { name: 'quotaBytes', kind: 'quota', max: quotaBytes };
  }

  async admit(ownerId: string, sizeBytes: number): Promise<void> {
    const blocked = this.limits.find((limit) => limit.blockedForMs(ownerId) > 0);
    if (blocked) throw this.refuse(blocked, blocked.blockedForMs(ownerId), sizeBytes);
    const results = await this.consumeAll(ownerId, sizeBytes);
    const refused = mostTelling(results);
    if (!refused) return;
    // A refused upload counts nowhere: the limits that admitted it give it back.
    await this.giveBack(ownerId, sizeBytes, results.filter(({ verdict }) => verdict.admitted).map((r) => r.limit));
    throw this.refuse(refused.limit, refused.verdict.retryAfterMs, sizeBytes);
  }

  cancel(ownerId: string, sizeBytes: number): Promise<void> {
    return this.giveBack(ownerId, sizeBytes, this.limits);
  }

  quotaRefusal(sizeBytes: number): Error {
    // retryAfter 0: waiting alone does not free quota.
    return this.refuse(this.quota, 0, sizeBytes);
  }

  /**
   * All limits at once, so they cost one round trip of latency. When one fails, the others give back
   * what they counted, without the caller waiting: a store that just failed or timed out is likely to
   * make a give-back wait as long again (a failed give-back is reported like any other). The failure
   * is thrown as it comes: the store's guard already named it (DATABASE_UNAVAILABLE, REDIS_UNAVAILABLE).
   */
  private async consumeAll(ownerId: string, sizeBytes: number): Promise<Counted[]> {
    const settled = await Promise.allSettled(this.limits.map((limit) => limit.consume(ownerId, sizeBytes)));
    const counted = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [{ limit: this.limits[i]!, verdict: s.value }] : []));
    const failure = settled.find((s) => s.status === 'rejected');
    if (!failure) return counted;
    void this.giveBack(ownerId, sizeBytes, counted.filter(({ verdict }) => verdict.admitted).map((c) => c.limit));
    throw failure.reason;
  }

  private async giveBack(ownerId: string, sizeBytes: number, limits: readonly CountedLimit[]): Promise<void> {
    await Promise.all(limits.map((limit) => limit.giveBack(ownerId, sizeBytes).catch((error: unknown) => this.hooks.onGiveBackFailed(error, ownerId))));
  }

  private refuse(limit: LimitRule, retryAfterMs: number, sizeBytes: number): Error {
    this.hooks.onRefused(limit.name);
    return refusal(limit, retryAfterMs, sizeBytes);
  }
}

/** The refusal worth reporting: the rate limit that lasts longest. */
function mostTelling(results: Counted[]): (Counted & { verdict: Refusal }) | undefined {
  const refused = results.filter((r): r is Counted & { verdict: Refusal } => !r.verdict.admitted);
  return refused.sort((a, b) => b.verdict.retryAfterMs - a.verdict.retryAfterMs)[0];
}
