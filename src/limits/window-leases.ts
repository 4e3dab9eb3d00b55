import type { CoalescedStore, Tally } from './coalescer.js';

/** Of a limit's maximum, the share one process may hold reserved for an owner: 1 %. */
const LEASE_SHARE_OF_MAX = 0.01;
/** A reservation never exceeds this many times the batch that asked for it. */
const LEASE_BATCHES_AHEAD = 100;
/** Above this many owners with a lease, expired ones are dropped. */
const PRUNE_ABOVE = 10_000;
const PRUNE_INTERVAL_MS = 60_000;

export interface WindowLeaseOptions {
  /**
   * Once a batch finds the window used up, refuse the owner from memory until it closes. For request
   * limits, where used up means no room for even one more; a byte limit refusing a large upload may
   * still have room for a small one.
   */
  blockWhenFull: boolean;
}

/** A tally of a store that added the batch: the only kind a rate window gives. */
export type AddedTally = Tally & { added: true };

/** The store under the reservations: it always adds what it is asked to count, never only reads. */
export interface AddingStore extends CoalescedStore {
  count(key: string, points: number): Promise<AddedTally>;
}

interface Lease {
  points: number;
  /** When the window the points were counted in closes: they mean nothing after that. */
  expiresAt: number;
}

/**
 * Reserves a window's points ahead: when the store is asked for a batch of an owner, it is asked for
 * a little more, and the next batches are admitted from that reservation in memory, with no round
 * trip, until it runs out or the window closes. For limits far above an owner's pace (the common
 * case under load) the store then sees one statement per ~100 batches instead of one per batch.
 *
 * Nothing is admitted that the store did not count: the limit is never exceeded across replicas.
 * The price: points this process holds are not available to other replicas, so another replica may
 * refuse an owner up to 1 % of the limit early (per replica holding a reservation), and a reservation
 * left when the process stops is lost until the window closes. Reservations are never made for limits
 * below 100 (1 % rounds to nothing): small limits stay exact per request.
 */
export class WindowLeases implements CoalescedStore {
  private readonly leases = new Map<string, Lease>();
  /** Owners whose window is used up, until it closes. */
  private readonly fullUntil = new Map<string, number>();
  private lastPrune = 0;

  constructor(
    private readonly store: AddingStore,
    private readonly max: number,
    private readonly options: WindowLeaseOptions = { blockWhenFull: false },
    private readonly now: () => number = Date.now,
  ) {}

  async count(key: string, points: number): Promise<Tally> {
    const full = this.fullUntil.get(key);
    if (full !== undefined && full > this.now()) return { before: Number.POSITIVE_INFINITY, added: false, retryAfterMs: full - this.now() };
    const lease = this.live(key);
    if (lease && lease.points >= points) {
      // The reservation is the room left: everything in the batch fits.
      const room = lease.points;
      lease.points -= points;
      return { before: this.max - room, added: true, retryAfterMs: lease.expiresAt - this.now() };
    }
    return this.countInStore(key, points, lease);
  }

  /** How long this owner is known to have no room left (only with `blockWhenFull`): refused without a round trip. */
  blockedForMs(key: string): number {
    return Math.max(0, (this.fullUntil.get(key) ?? 0) - this.now());
  }

  private async countInStore(key: string, points: number, lease: Lease | undefined): Promise<Tally> {
    // What is left of the reservation is already counted: the batch uses it first and asks for the rest.
    const held = lease?.points ?? 0;
    const extra = Math.min(Math.floor(this.max * LEASE_SHARE_OF_MAX), points * LEASE_BATCHES_AHEAD);
    this.leases.delete(key);
    let tally: AddedTally;
    try {
      tally = await this.store.count(key, points - held + extra);
    } catch (error) {
      if (lease) this.leases.set(key, lease); // nothing was counted: the reservation still stands
      throw error;
    }
    const before = tally.before - held;
    if (before + points + extra <= this.max) {
      if (extra > 0) this.reserve(key, extra, tally.retryAfterMs);
    } else {
      // No room for a reservation: undo it, and let the batch be decided on the count as it is. If
      // the store fails to take it back, the owner loses at most the reservation until the window closes.
      if (extra > 0) await this.store.takeBack(key, extra).catch(() => undefined);
      if (this.options.blockWhenFull && before + points >= this.max) this.fullUntil.set(key, this.now() + tally.retryAfterMs);
    }
    return { ...tally, before };
  }

  /** The part of a batch the coalescer refused goes back to the store: it was counted there. */
  takeBack(key: string, points: number): Promise<void> {
    return this.store.takeBack(key, points);
  }

  /** Points of an upload that was admitted but not made: back into the reservation while it lasts. */
  async giveBack(key: string, points: number): Promise<void> {
    this.fullUntil.delete(key);
    const lease = this.live(key);
    if (lease) lease.points += points;
    else await this.store.takeBack(key, points);
  }

  private live(key: string): Lease | undefined {
    const lease = this.leases.get(key);
    if (lease && lease.expiresAt > this.now()) return lease;
    this.leases.delete(key);
    return undefined;
  }

  private reserve(key: string, points: number, windowLeftMs: number): void {
    if (this.leases.size + this.fullUntil.size > PRUNE_ABOVE) this.pruneExpired();
    this.leases.set(key, { points, expiresAt: this.now() + windowLeftMs });
  }

  /** At most once a minute: with many active owners, a scan per reservation would cost more than it frees. */
  private pruneExpired(): void {
    const now = this.now();
    if (now - this.lastPrune < PRUNE_INTERVAL_MS) return;
    this.lastPrune = now;
    for (const [key, lease] of this.leases) if (lease.expiresAt <= now) this.leases.delete(key);
    for (const [key, until] of this.fullUntil) if (until <= now) this.fullUntil.delete(key);
  }
}
