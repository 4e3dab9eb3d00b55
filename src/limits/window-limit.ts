import type { RateLimiterStoreAbstract } from 'rate-limiter-flexible';
import { Coalescer } from './coalescer.js';
import { consumeOrRefuse, type CountedLimit, type LimitName, type Verdict } from './counted-limit.js';
import type { CounterStore } from './counter-store.js';
import { WindowLeases, type AddedTally } from './window-leases.js';

export interface WindowSpec {
  name: LimitName;
  max: number;
  windowSeconds: number;
  /** What one upload weighs: 1 for request limits, its declared size for byte limits. */
  counts: 'uploads' | 'bytes';
}

/**
 * A fixed window per owner (rate-limiter-flexible on PostgreSQL or Redis): it opens with the owner's
 * first upload and allows `max` until it closes. Large limits are counted ahead in reservations
 * (WindowLeases), so that under load most uploads cost no store round trip; a request limit, once
 * used up, blocks the owner in this process's memory until the window closes (also WindowLeases, on
 * the count without its reservation).
 */
export class WindowLimit implements CountedLimit {
  readonly kind = 'rate';
  readonly name: LimitName;
  readonly max: number;
  private readonly limiter: RateLimiterStoreAbstract;
  private readonly leases: WindowLeases;
  private readonly coalescer: Coalescer;

  constructor(
    private readonly store: CounterStore,
    private readonly spec: WindowSpec,
  ) {
    this.name = spec.name;
    this.max = spec.max;
    this.limiter = store.limiter({
      keyPrefix: spec.name,
      points: spec.max,
      duration: spec.windowSeconds,
    });
    const counts = { count: (key: string, points: number) => this.count(key, points), takeBack: (key: string, points: number) => this.takeBack(key, points) };
    this.leases = new WindowLeases(counts, spec.max, { blockWhenFull: spec.counts === 'uploads' });
    this.coalescer = new Coalescer(this.leases, spec.max);
  }

  blockedForMs(ownerId: string): number {
    return this.leases.blockedForMs(ownerId);
  }

  consume(ownerId: string, sizeBytes: number): Promise<Verdict> {
    return this.coalescer.decide(ownerId, this.weight(sizeBytes));
  }

  giveBack(ownerId: string, sizeBytes: number): Promise<void> {
    return this.leases.giveBack(ownerId, this.weight(sizeBytes));
  }

  private async count(ownerId: string, points: number): Promise<AddedTally> {
    // The store always counts (the library's own in-memory block is not used: WindowLeases blocks).
    const { res } = await this.store.guard(() => consumeOrRefuse(this.limiter, ownerId, points));
    return { before: res.consumedPoints - points, added: true, retryAfterMs: res.msBeforeNext };
  }

  private async takeBack(ownerId: string, points: number): Promise<void> {
    await this.store.guard(() => this.limiter.reward(ownerId, points));
  }

  private weight(sizeBytes: number): number {
    return this.spec.counts === 'uploads' ? 1 : sizeBytes;
  }
}
