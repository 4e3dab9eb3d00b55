// The per-owner total of bytes held in PENDING and READY assets (the insert decides the storage quota on it), against
// a real PostgreSQL: the triggers of migration 005 keep it equal to the sum of the owner's assets.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { PostgresAssetRepository } from '../../../src/db/asset-repository.js';
import { migrate } from '../../../src/db/migrate.js';
import type { Asset } from '../../../src/domain/asset.js';
import { codeBlocks } from '../../support/markdown.js';
import { freshDatabase, heldBytes, newAsset, stored } from './database-fixture.js';

const MIGRATIONS = new URL('../../../src/db/migrations/', import.meta.url);

/** Each owner's total as the triggers kept it, and as summing the assets table says it should be. */
async function totals(pool: pg.Pool): Promise<{ kept: Record<string, number>; summed: Record<string, number> }> {
  const kept = await pool.query<{ owner_id: string; n: number }>('SELECT owner_id, held_bytes::float8 AS n FROM owner_storage_usage WHERE held_bytes <> 0');
  const summed = await pool.query<{ owner_id: string; n: number }>(
    "SELECT owner_id, sum(size_bytes)::float8 AS n FROM assets WHERE status IN ('PENDING', 'READY') GROUP BY owner_id",
  );
  const byOwner = (rows: { owner_id: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.owner_id, r.n]));
  return { kept: byOwner(kept.rows), summed: byOwner(summed.rows) };
}

describe('owner storage usage', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let repository: PostgresAssetRepository;
  before(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
    repository = new PostgresAssetRepository(db.pool);
  });
  after(() => db.close());

  const create = async (ownerId: string, sizeBytes: number): Promise<Asset> => stored(await repository.insertOrFindByIdempotencyKey(newAsset({ ownerId, sizeBytes }))).asset;
  const held = (ownerId: string) => heldBytes(db.pool, ownerId);

  test('bytes count while an asset is PENDING or READY, and stop counting when it fails, is deleted or purged', async () => {
    const [a, b, c] = [await create('life', 100), await create('life', 20), await create('life', 3)];
    assert.equal(await held('life'), 123);
    const ready = (await repository.transition(a.id, a.version, { status: 'READY' }))!;
    assert.equal(await held('life'), 123, 'confirming changes nothing');
    await repository.transition(b.id, b.version, { status: 'FAILED', failureReason: 'SIZE_MISMATCH' });
    assert.equal(await held('life'), 103);
    await repository.transition(ready.id, ready.version, { status: 'DELETED', deletedBy: 'life' });
    assert.equal(await held('life'), 3);
    await db.pool.query('DELETE FROM assets WHERE id = $1', [c.id]);
    assert.equal(await held('life'), 0, 'purging a live row (a manual fix) frees it too');
    await db.pool.query('DELETE FROM assets WHERE id = $1', [a.id]);
    assert.equal(await held('life'), 0, 'purging a DELETED row frees nothing twice');
  });

  test('a rolled-back change leaves the total as it was', async () => {
    await create('rollback', 50);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("UPDATE assets SET status = 'FAILED', failure_reason = 'UPLOAD_EXPIRED' WHERE owner_id = 'rollback'");
      await client.query('ROLLBACK');
    } finally {
      client.release(true); // never back into the pool with a transaction a failure left open
    }
    assert.equal(await held('rollback'), 50);
  });

  test('concurrent creates and transitions across owners keep every total exact, without deadlocks', async () => {
    const owners = ['mix-1', 'mix-2', 'mix-3', 'mix-4', 'mix-5'];
    const created = await Promise.all(Array.from({ length: 300 }, (_, i) => create(owners[i % owners.length]!, 1 + i)));
    // Multi-owner updates in opposite orders at once, beside more creates.
    const expire = (ids: string[]) =>
      db.pool.query("UPDATE assets SET status = 'FAILED', failure_reason = 'UPLOAD_EXPIRED' WHERE id = ANY($1::uuid[]) AND status = 'PENDING'", [ids]);
    const ids = created.map((a) => a.id);
    await Promise.all([
      expire(ids.slice(0, 100)),
      expire(ids.slice(0, 100).reverse()),
      ...ids.slice(100, 200).map((id) => repository.transition(id, 0, { status: 'READY' })),
      ...Array.from({ length: 100 }, (_, i) => create(owners[(i * 3) % owners.length]!, 7)),
    ]);
    const { kept, summed } = await totals(db.pool);
    assert.deepEqual(kept, summed);
    assert.equal(Object.keys(summed).filter((o) => o.startsWith('mix-')).length, owners.length);
  });

  test("the runbook's recompute restores every total after they were lost, and keeps each owner's row", async () => {
    await create('recomputed', 40);
    await create('emptied', 10);
    await db.pool.query("UPDATE assets SET status = 'FAILED', failure_reason = 'UPLOAD_EXPIRED' WHERE owner_id = 'emptied'");
    await db.pool.query('ALTER TABLE assets DISABLE TRIGGER USER');
    await db.pool.query("UPDATE assets SET size_bytes = size_bytes + 2 WHERE owner_id = 'recomputed'");
    await db.pool.query('ALTER TABLE assets ENABLE TRIGGER USER');
    await db.pool.query(await runbookRecompute());
    const { kept, summed } = await totals(db.pool);
    assert.deepEqual(kept, summed);
    assert.equal(await held('recomputed'), 42);
    const { rows } = await db.pool.query("SELECT held_bytes::float8 AS n FROM owner_storage_usage WHERE owner_id = 'emptied'");
    assert.deepEqual(rows, [{ n: 0 }], 'an owner holding nothing keeps a row at 0');
  });
});

/** The recompute SQL block of docs/runbook.md, as an operator would paste it. */
async function runbookRecompute(): Promise<string> {
  const runbook = await readFile(new URL('../../../docs/runbook.md', import.meta.url), 'utf8');
  const block = codeBlocks(runbook, 'sql').find((sql) => sql.includes('UPDATE owner_storage_usage SET held_bytes = 0'));
  assert.ok(block, 'the runbook has a recompute SQL block');
  return block;
}

describe('migration 005 on a database that already holds assets', () => {
  test('the totals start from the assets already there', async (t) => {
    const db = await freshDatabase();
    t.after(() => db.close());
    const files = (await readdir(MIGRATIONS)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
    const before005 = files.filter((f) => f < '005');
    for (const file of before005) await db.pool.query(await readFile(new URL(file, MIGRATIONS), 'utf8'));
    await db.pool.query('CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    await db.pool.query('INSERT INTO schema_migrations (version) SELECT unnest($1::text[])', [before005]);
    await db.pool.query(`INSERT INTO assets (id, owner_id, namespace, visibility, storage_key, storage_region, storage_bucket, mime_type,
                           size_bytes, original_filename, upload_expires_at, status, failure_reason)
                         VALUES (gen_random_uuid(), 'old', 'attachments', 'PRIVATE', 'k1', 'r', 'b', 'image/png', 40, 'f', now(), 'READY', NULL),
                                (gen_random_uuid(), 'old', 'attachments', 'PRIVATE', 'k2', 'r', 'b', 'image/png', 2, 'f', now(), 'PENDING', NULL),
                                (gen_random_uuid(), 'old', 'attachments', 'PRIVATE', 'k3', 'r', 'b', 'image/png', 900, 'f', now(), 'FAILED', 'OBJECT_MISSING')`);
    const { applied } = await migrate(db.pool);
    assert.ok(applied.includes('005_owner_storage_usage.sql'), `applied: ${applied.join(', ')}`);
    assert.deepEqual((await totals(db.pool)).kept, { old: 42 });
  });
});
