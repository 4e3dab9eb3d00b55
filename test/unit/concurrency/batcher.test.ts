import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Batcher, type ItemOutcomes } from '../../../src/concurrency/batcher.js';

/** A batch function whose runs the test finishes by hand, recording what each run carried. */
function controlledBatches() {
  const runs: { items: number[]; finish(outcomes?: ItemOutcomes<string>): void; fail(error: Error): void }[] = [];
  const runBatch = (items: readonly number[]) =>
    new Promise<ItemOutcomes<string>>((resolve, reject) => {
      runs.push({
        items: [...items],
        finish: (outcomes) => resolve(outcomes ?? items.map((i) => ({ status: 'fulfilled', value: `done ${i}` }))),
        fail: reject,
      });
    });
  return { runs, runBatch };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  test('an item submitted while a slot is free runs at once, alone', async () => {
    const { runs, runBatch } = controlledBatches();
    const batcher = new Batcher(runBatch, { maxBatchSize: 10, maxInFlight: 1 });
    const result = batcher.submit(1);
    assert.deepEqual(runs.map((r) => r.items), [[1]]);
    runs[0]!.finish();
    assert.equal(await result, 'done 1');
  });

  test('items arriving while every slot is busy go together in the next batch, each getting its own result', async () => {
    const { runs, runBatch } = controlledBatches();
    const batcher = new Batcher(runBatch, { maxBatchSize: 10, maxInFlight: 1 });
    const results = [1, 2, 3, 4].map((i) => batcher.submit(i));
    assert.deepEqual(runs.map((r) => r.items), [[1]]);
    runs[0]!.finish();
    await tick();
    assert.deepEqual(runs.map((r) => r.items), [[1], [2, 3, 4]]);
    runs[1]!.finish();
    assert.deepEqual(await Promise.all(results), ['done 1', 'done 2', 'done 3', 'done 4']);
  });

  test('no more batches run at once than allowed, and none carries more items than allowed', async () => {
    const { runs, runBatch } = controlledBatches();
    const batcher = new Batcher(runBatch, { maxBatchSize: 2, maxInFlight: 2 });
    const results = [1, 2, 3, 4, 5, 6, 7].map((i) => batcher.submit(i));
    assert.deepEqual(runs.map((r) => r.items), [[1], [2]]);
    runs[0]!.finish();
    await tick();
    assert.deepEqual(runs.map((r) => r.items), [[1], [2], [3, 4]]);
    runs[1]!.finish();
    await tick();
    assert.deepEqual(runs.map((r) => r.items), [[1], [2], [3, 4], [5, 6]]);
    runs[2]!.finish();
    runs[3]!.finish();
    await tick();
    runs[4]!.finish();
    assert.equal((await Promise.all(results)).length, 7);
  });

  test('a failed item rejects only its own caller', async () => {
    const { runs, runBatch } = controlledBatches();
    const batcher = new Batcher(runBatch, { maxBatchSize: 10, maxInFlight: 1 });
    void batcher.submit(0);
    const [good, bad] = [batcher.submit(1), batcher.submit(2)];
    runs[0]!.finish();
    await tick();
    runs[1]!.finish([{ status: 'fulfilled', value: 'fine' }, { status: 'rejected', reason: new Error('row 2 refused') }]);
    assert.equal(await good, 'fine');
    await assert.rejects(bad, /row 2 refused/);
  });

  test('a batch that fails as a whole rejects every caller in it, and later items still run', async () => {
    const { runs, runBatch } = controlledBatches();
    const batcher = new Batcher(runBatch, { maxBatchSize: 10, maxInFlight: 1 });
    const first = [batcher.submit(1)];
    const second = [batcher.submit(2), batcher.submit(3)];
    runs[0]!.fail(new Error('connection lost'));
    await assert.rejects(first[0]!, /connection lost/);
    runs[1]!.fail(new Error('still down'));
    for (const result of second) await assert.rejects(result, /still down/);
    const later = batcher.submit(4);
    runs[2]!.finish();
    assert.equal(await later, 'done 4');
  });

  test('with failWaitingWithBatch, a failed batch also fails the items waiting for the next, which then never runs', async () => {
    const { runs, runBatch } = controlledBatches();
    const batcher = new Batcher(runBatch, { maxBatchSize: 10, maxInFlight: 1, failWaitingWithBatch: true });
    const running = batcher.submit(1);
    const waiting = [batcher.submit(2), batcher.submit(3)];
    runs[0]!.fail(new Error('timed out'));
    for (const result of [running, ...waiting]) await assert.rejects(result, /timed out/);
    await tick();
    assert.deepEqual(runs.map((r) => r.items), [[1]]);
    const later = batcher.submit(4);
    runs[1]!.finish();
    assert.equal(await later, 'done 4');
  });

  test('a batch that returns no outcome for an item rejects that caller instead of leaving it waiting', async () => {
    const { runs, runBatch } = controlledBatches();
    const batcher = new Batcher(runBatch, { maxBatchSize: 10, maxInFlight: 1 });
    const result = batcher.submit(1);
    runs[0]!.finish([]);
    await assert.rejects(result, /no outcome/);
  });
});
