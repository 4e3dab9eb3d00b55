import type { RateLimiterStoreAbstract } from 'rate-limiter-flexible';
import { Coalescer, type Tally } from './coalescer.js';
import { consumeOrRefuse, type CountedLimit, type LimitName, type Verdict } from './counted-limit.js';
import type { CounterStore } from './counter-store.js';
import { WindowLeases } from './window-leases.js';

export interface WindowSpec {
  name: LimitName;
  max: number;
  windowSeconds: number;
  /** What one upload weighs: 1 for request limits, its declared size for byte limits. */
  counts: 'uploads' | 'bytes';
}

// rate-limiter-flexible has this method but its typings leave it out.
type InMemoryBlocks = { getInMemoryBlockMsBeforeExpire(rlKey: string): number };

/**
 * A fixed window per owner (rate-limiter-flexible on PostgreSQL or Redis): it opens with the owner's
 * first upload and allows `max` until it closes. Large limits are counted ahead in reservations
 * (WindowLeases), so that under load most uploads cost no store round trip; a small request limit,
 * once exceeded, blocks the owner in this process's memory until the window closes instead.
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
      inMemoryBlockOnConsumed: blocksInMemory(spec) ? spec.max + 1 : 0,
    });
    const counts = { count: (key: string, points: number) => this.count(key, points), takeBack: (key: string, points: number) => this.takeBack(key, points) };
    this.leases = new WindowLeases(counts, spec.max, { blockWhenFull: spec.counts === 'uploads' });
    this.coalescer = new Coalescer(this.leases, spec.max);
  }

  blockedForMs(ownerId: string): number {
    const byLibrary = (this.limiter as unknown as InMemoryBlocks).getInMemoryBlockMsBeforeExpire(this.limiter.getKey(ownerId));
    return Math.max(byLibrary, this.leases.blockedForMs(ownerId));
  }

  consume(ownerId: string, sizeBytes: number): Promise<Verdict> {
    return this.coalescer.decide(ownerId, this.weight(sizeBytes));
  }

  giveBack(ownerId: string, sizeBytes: number): Promise<void> {
    return this.leases.giveBack(ownerId, this.weight(sizeBytes));
  }

  private async count(ownerId: string, points: number): Promise<Tally> {
    const { res } = await this.store.guard(() => consumeOrRefuse(this.limiter, ownerId, points));
    // Refused from the in-memory block, the store was not asked: nothing added, no room.
    if (res.consumedPoints === 0) return { before: Number.POSITIVE_INFINITY, added: false, retryAfterMs: res.msBeforeNext };
    return { before: res.consumedPoints - points, added: true, retryAfterMs: res.msBeforeNext };
  }

  private async takeBack(ownerId: string, points: number): Promise<void> {
    await this.store.guard(() => this.limiter.reward(ownerId, points));
  }

  private weight(sizeBytes: number): number {
    return this.spec.counts === 'uploads' ? 1 : sizeBytes;
  }
}

/**
 * Whether rate-limiter-flexible blocks an owner over the limit in memory until the window closes. Only
 * for request limits (a byte limit refusing a large upload may still have room for a small one), and
 * only where nothing is reserved ahead: a reservation asked for near the limit pushes the count past it
 * for a moment, which would block the owner although room is left once it is taken back. Limits with
 * reservations block in WindowLeases instead, on the count without the reservation.
 */
function blocksInMemory(spec: WindowSpec): boolean {
  return spec.counts === 'uploads' && !WindowLeases.applyTo(spec.max);
}
