// Lookups of assets by id against a real PostgreSQL: concurrent ones share statements, and each caller
// still gets exactly the asset it asked for.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PostgresAssetRepository } from '../../../src/db/asset-repository.js';
import { migrate } from '../../../src/db/migrate.js';
import { countingPool, freshDatabase, newAsset, stored } from './database-fixture.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
before(async () => {
  db = await freshDatabase();
  await migrate(db.pool);
});
after(() => db.close());

test('100 concurrent lookups share a few statements, and each caller gets the asset it asked for, as its own copy', async () => {
  const writer = new PostgresAssetRepository(db.pool);
  const assets = await Promise.all(Array.from({ length: 50 }, () => writer.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'reader' })))).then((r) => r.map((o) => stored(o).asset));
  const { pool, statements } = countingPool(db.pool);
  const reader = new PostgresAssetRepository(pool);
  const unknown = crypto.randomUUID();
  const asked = [...assets.map((a) => a.id), ...assets.map((a) => a.id.toUpperCase()), unknown, 'not-a-uuid'];
  const found = await Promise.all(asked.map((id) => reader.findById(id)));
  assert.deepEqual(found.slice(0, 50), assets);
  assert.deepEqual(found.slice(50, 100), assets, 'ids are case-insensitive, as UUIDs are');
  assert.deepEqual(found.slice(100), [null, null]);
  assert.notEqual(found[0], found[50], 'two callers of one id do not share an object');
  assert.ok(statements() <= 4, `expected shared statements, got ${statements()} for ${asked.length} lookups`);
});
