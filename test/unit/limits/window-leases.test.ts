import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Tally } from '../../../src/limits/coalescer.js';
import { WindowLeases, type AddedTally, type AddingStore } from '../../../src/limits/window-leases.js';

const WINDOW_MS = 60_000;

/** A fixed-window counter like rate-limiter-flexible's: adds first, tells the count before, even past the max. */
class FakeWindowStore implements AddingStore {
  count_ = 0;
  calls = 0;
  windowEnd: number;

  constructor(private readonly clock: { now: number }) {
    this.windowEnd = clock.now + WINDOW_MS;
  }

  async count(_key: string, points: number): Promise<AddedTally> {
    this.calls++;
    if (this.clock.now >= this.windowEnd) [this.count_, this.windowEnd] = [0, this.clock.now + WINDOW_MS];
    const before = this.count_;
    this.count_ += points;
    return { before, added: true, retryAfterMs: this.windowEnd - this.clock.now };
  }

  async takeBack(_key: string, points: number): Promise<void> {
    this.count_ -= points;
  }
}

function leasesOver(max: number, blockWhenFull = false) {
  const clock = { now: 1_000_000 };
  const store = new FakeWindowStore(clock);
  return { clock, store, leases: new WindowLeases(store, max, { blockWhenFull }, () => clock.now) };
}

/** What the coalescer would admit of a batch of `points`, given the tally. */
const fits = (tally: Tally, points: number, max: number) => tally.before + points <= max;

describe('WindowLeases', () => {
  test('a large limit is asked for a reservation once, and the next batches are admitted from it without the store', async () => {
    const { store, leases } = leasesOver(1_000_000);
    for (let i = 0; i < 50; i++) assert.ok(fits(await leases.count('owner', 2), 2, 1_000_000));
    assert.equal(store.calls, 1);
    assert.equal(store.count_, 2 + 200, 'the first batch and a reservation of 100 batches');
  });

  test('across many batches the store counts exactly what was admitted plus what is still reserved', async () => {
    const { store, leases } = leasesOver(10_000);
    let admitted = 0;
    for (let i = 0; i < 500; i++) {
      const tally = await leases.count('owner', 3);
      if (fits(tally, 3, 10_000)) admitted += 3;
    }
    assert.equal(admitted, 1500);
    assert.ok(store.count_ >= admitted && store.count_ <= admitted + 100, `store ${store.count_}, admitted ${admitted}`);
    assert.ok(store.calls < 30, `${store.calls} store calls for 500 batches`);
  });

  test('near the limit no reservation is kept and the batch is decided on the store count, so nothing is admitted beyond the max', async () => {
    const { store, leases } = leasesOver(200);
    store.count_ = 195;
    const tally = await leases.count('owner', 10);
    assert.equal(tally.before, 195);
    assert.equal(fits(tally, 10, 200), false);
    assert.equal(store.count_, 205, 'the reservation was taken back; the refused batch is the coalescer\'s to take back');
  });

  test('what is left of a reservation counts toward the next batch, so a reservation never makes the limit refuse early', async () => {
    const { store, leases } = leasesOver(100);
    const admitted = async (points: number) => {
      const tally = await leases.count('owner', points);
      const fit = fits(tally, points, 100);
      if (!fit) await store.takeBack('owner', points); // as the coalescer does with a refused batch
      return fit;
    };
    assert.equal(await admitted(40), true);
    assert.equal(await admitted(40), true);
    assert.equal(await admitted(40), false);
    assert.equal(await admitted(20), true, '80 + 20 fits exactly');
    assert.equal(await admitted(1), false);
    assert.equal(store.count_, 100);
  });

  test('a reservation ends with its window: the first batch after it goes to the store again', async () => {
    const { clock, store, leases } = leasesOver(1_000_000);
    await leases.count('owner', 1);
    clock.now += WINDOW_MS;
    await leases.count('owner', 1);
    assert.equal(store.calls, 2);
    assert.equal(store.count_, 1 + 100, 'the new window holds the new batch and its reservation only');
  });

  test('points given back return to the reservation while it lasts, and to the store after', async () => {
    const { clock, store, leases } = leasesOver(1_000_000);
    await leases.count('owner', 1);
    await leases.giveBack('owner', 1);
    assert.equal(store.count_, 101, 'kept in memory');
    clock.now += WINDOW_MS;
    await leases.giveBack('owner', 1);
    assert.equal(store.count_, 100, 'no reservation left: given back to the store');
  });

  test('each owner has a reservation of their own', async () => {
    const { store, leases } = leasesOver(1_000_000);
    await leases.count('alice', 1);
    await leases.count('bob', 1);
    await leases.count('alice', 1);
    assert.equal(store.calls, 2);
  });

  test('limits under 100 get no reservations: every batch is counted by the store', async () => {
    const { store, leases } = leasesOver(99);
    for (let i = 0; i < 5; i++) await leases.count('owner', 1);
    assert.equal(store.calls, 5);
    assert.equal(store.count_, 5);
  });

  test('a limit of exactly 100 reserves one point ahead, and the next batch is admitted from it', async () => {
    const { store, leases } = leasesOver(100);
    await leases.count('owner', 1);
    assert.equal(store.count_, 1 + 1, 'the batch and a reservation of 1 % of 100');
    assert.ok(fits(await leases.count('owner', 1), 1, 100));
    assert.equal(store.calls, 1, 'the second batch came from the reservation');
  });

  test('a request limit found used up refuses the owner from memory until its window closes; a give-back lifts that', async () => {
    const { clock, store, leases } = leasesOver(100, true);
    store.count_ = 99;
    const last = await leases.count('owner', 3);
    assert.equal(last.before, 99, 'one of the three still fits');
    await store.takeBack('owner', 2); // the coalescer takes back the two refused
    const calls = store.calls;
    const blocked = await leases.count('owner', 1);
    assert.equal(blocked.added, false);
    assert.equal(fits(blocked, 1, 100), false);
    assert.ok(leases.blockedForMs('owner') > 0);
    assert.equal(store.calls, calls, 'no store round trip while blocked');
    await leases.giveBack('owner', 1);
    assert.equal(leases.blockedForMs('owner'), 0);
    clock.now += WINDOW_MS;
    assert.ok(fits(await leases.count('owner', 1), 1, 100), 'a new window has room again');
  });

  test('a store failure leaves the reservation as it was', async () => {
    const { store, leases } = leasesOver(1_000_000);
    await leases.count('owner', 1);
    const failing = Object.assign(store, { count: async () => { throw new Error('store down'); } });
    await assert.rejects(leases.count('owner', 500), /store down/);
    assert.equal(failing.count_, 101);
    assert.ok(fits(await leases.count('owner', 100), 100, 1_000_000), 'the 100 reserved points still admit without the store');
  });
});
