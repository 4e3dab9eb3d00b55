// The batched insert of new assets, against a real PostgreSQL: concurrent creates share statements,
// and a row the database refuses fails alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PostgresAssetRepository } from '../../../src/db/asset-repository.js';
import { migrate } from '../../../src/db/migrate.js';
import { countingPool, freshDatabase, newAsset, stored } from './database-fixture.js';

// Both statements: without a quota, and with one (the default, 10 GiB) that decides it too.
for (const quotaBytes of [0, 10 * 1024 ** 3]) describe(`batched asset inserts, quota ${quotaBytes || 'off'}`, () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  before(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
  });
  after(() => db.close());

  const storedIds = async (ids: string[]) =>
    (await db.pool.query<{ id: string }>('SELECT id FROM assets WHERE id = ANY($1::uuid[]) ORDER BY id', [ids])).rows.map((r) => r.id);

  test('200 concurrent creates are all stored, each as it was given, in far fewer statements than creates', async () => {
    const { pool, statements } = countingPool(db.pool);
    const repository = new PostgresAssetRepository(pool, quotaBytes);
    const assets = Array.from({ length: 200 }, (_, i) => newAsset({ ownerId: `owner-${i % 7}`, checksum: i % 2 ? 'a'.repeat(64) : null }));
    const results = (await Promise.all(assets.map((asset) => repository.insertOrFindByIdempotencyKey(asset)))).map(stored);
    assert.ok(results.every((r) => r.created));
    assert.deepEqual(await storedIds(assets.map((a) => a.id)), assets.map((a) => a.id).sort());
    assert.ok(statements() <= 20, `expected batches, got ${statements()} statements for 200 creates`);
    for (const { asset } of results.slice(0, 5)) assert.deepEqual(await repository.findById(asset.id), asset);
  });

  test('20 concurrent creates with one idempotency key store one row, and every caller gets that asset', async () => {
    const repository = new PostgresAssetRepository(db.pool, quotaBytes);
    const first = newAsset({ ownerId: 'owner-dup', idempotencyKey: 'same-key' });
    const duplicates = Array.from({ length: 20 }, (_, i) => (i === 0 ? first : newAsset({ ...first, id: crypto.randomUUID(), storageKey: `dup/${i}` })));
    const results = (await Promise.all(duplicates.map((asset) => repository.insertOrFindByIdempotencyKey(asset)))).map(stored);
    assert.equal(results.filter((r) => r.created).length, 1);
    const winner = results.find((r) => r.created)!.asset.id;
    assert.ok(results.every((r) => r.asset.id === winner));
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM assets WHERE owner_id = 'owner-dup'");
    assert.equal(rows[0].n, 1);
  });

  test('two replicas inserting the same idempotency keys in opposite orders never deadlock', async () => {
    const [replicaA, replicaB] = [new PostgresAssetRepository(db.pool, quotaBytes), new PostgresAssetRepository(db.pool, quotaBytes)];
    for (let round = 0; round < 10; round++) {
      const keyed = Array.from({ length: 150 }, (_, i) => newAsset({ ownerId: `owner-${i % 3}`, idempotencyKey: `round-${round}-key-${i}` }));
      const twins = keyed.map((asset) => ({ ...asset, id: crypto.randomUUID(), storageKey: `${asset.storageKey}-twin` }));
      const outcomes = await Promise.allSettled([
        ...keyed.map((asset) => replicaA.insertOrFindByIdempotencyKey(asset)),
        ...[...twins].reverse().map((asset) => replicaB.insertOrFindByIdempotencyKey(asset)),
      ]);
      const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => String(o.reason));
      assert.deepEqual(failures, [], `round ${round}`);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled' && stored(o.value).created).length, 150, `round ${round}: one row per key`);
    }
  });

  test('a row the database refuses fails alone, and the creates batched with it are stored', async () => {
    const repository = new PostgresAssetRepository(db.pool, quotaBytes);
    // Keep the batch slots busy so that the next creates queue up and go together.
    const blockers = Array.from({ length: 4 }, () => repository.insertOrFindByIdempotencyKey(newAsset()));
    const good = Array.from({ length: 10 }, () => newAsset({ ownerId: 'owner-batch' }));
    const refused = newAsset({ ownerId: 'owner-batch', mimeType: 'Not A MIME Type' });
    const outcomes = await Promise.allSettled([...good, refused].map((asset) => repository.insertOrFindByIdempotencyKey(asset)));
    await Promise.all(blockers);
    const refusedOutcome = outcomes.at(-1)!;
    assert.equal(refusedOutcome.status, 'rejected');
    assert.match(String((refusedOutcome as PromiseRejectedResult).reason), /check constraint/);
    assert.ok(outcomes.slice(0, -1).every((o) => o.status === 'fulfilled' && stored(o.value).created));
    assert.deepEqual(await storedIds([...good, refused].map((a) => a.id)), good.map((a) => a.id).sort());
  });
});
