// The storage quota's reads of owner_storage_usage against a real PostgreSQL: concurrent owners are
// read together, and each is still decided on their own total.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrate } from '../../../src/db/migrate.js';
import { StorageQuota } from '../../../src/limits/storage-quota.js';
import { freshDatabase } from './database-fixture.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
before(async () => {
  db = await freshDatabase();
  await migrate(db.pool);
});
after(() => db.close());

test('concurrent uploads of many owners are each decided on their own held bytes', async () => {
  const held: Record<string, number> = { 'q-1': 95, 'q-2': 10, 'q-3': 100, 'q-4': 0, 'q-5': 50, 'q-6': 51 };
  await db.pool.query('INSERT INTO owner_storage_usage (owner_id, held_bytes) SELECT * FROM unnest($1::text[], $2::bigint[])', [Object.keys(held), Object.values(held)]);
  const quota = new StorageQuota(db.pool, 100);
  const owners = [...Object.keys(held), 'q-never-uploaded'];
  const verdicts = await Promise.all(owners.map((owner) => quota.consume(owner, 50)));
  const admitted = Object.fromEntries(owners.map((owner, i) => [owner, verdicts[i]!.admitted]));
  assert.deepEqual(admitted, { 'q-1': false, 'q-2': true, 'q-3': false, 'q-4': true, 'q-5': true, 'q-6': false, 'q-never-uploaded': true });
});
