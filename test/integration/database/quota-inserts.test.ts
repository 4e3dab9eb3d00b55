// The storage quota, checked by the batched insert itself against a real PostgreSQL: each owner is
// decided on their own committed total, exactly, also when two replicas race the same owner.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { PostgresAssetRepository } from '../../../src/db/asset-repository.js';
import { migrate } from '../../../src/db/migrate.js';
import type { NewAsset } from '../../../src/domain/asset.js';
import type { InsertOutcome } from '../../../src/domain/ports.js';
import { countingPool, freshDatabase, heldBytes, newAsset, stored } from './database-fixture.js';

const verdict = (outcome: InsertOutcome) => ('overQuota' in outcome ? 'overQuota' : outcome.created ? 'created' : 'repeat');

/**
 * Another replica's upload, inserted in a transaction the test keeps open. A PENDING one holds bytes: its
 * trigger has locked the owner's total. A FAILED one (with a failure reason) holds none: only its key is locked.
 */
async function insertUncommitted(client: pg.PoolClient, asset: NewAsset, failureReason: string | null = null): Promise<void> {
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO assets (id, owner_id, namespace, visibility, storage_key, storage_region, storage_bucket, mime_type, size_bytes, original_filename,
                         upload_expires_at, idempotency_key, status, failure_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [asset.id, asset.ownerId, asset.namespace, asset.visibility, asset.storageKey, asset.storageRegion, asset.storageBucket, asset.mimeType, asset.sizeBytes,
      asset.originalFilename, asset.uploadExpiresAt, asset.idempotencyKey, failureReason ? 'FAILED' : 'PENDING', failureReason],
  );
}

/** Fails when `promise` has not settled within `ms`, instead of leaving the test hanging. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  const timeout = sleep(ms).then(() => Promise.reject(new Error(`${what}: not settled within ${ms} ms`)));
  return Promise.race([promise, timeout]);
}

/** Long enough for a statement started just before to be waiting on a lock. */
const LOCK_WAIT_MS = 300;

describe('inserts within the storage quota', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  before(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
  });
  after(() => db.close());

  const heldBy = (ownerId: string) => heldBytes(db.pool, ownerId);

  test('concurrent uploads of many owners are each decided on their own held bytes', async () => {
    const held: Record<string, number> = { 'q-1': 95, 'q-2': 10, 'q-3': 100, 'q-4': 0, 'q-5': 50, 'q-6': 51 };
    await db.pool.query('INSERT INTO owner_storage_usage (owner_id, held_bytes) SELECT * FROM unnest($1::text[], $2::bigint[])', [Object.keys(held), Object.values(held)]);
    const repository = new PostgresAssetRepository(db.pool, 100);
    const owners = [...Object.keys(held), 'q-never-uploaded'];
    const outcomes = await Promise.all(owners.map((ownerId) => repository.insertOrFindByIdempotencyKey(newAsset({ ownerId, sizeBytes: 50 }))));
    const decided = Object.fromEntries(owners.map((owner, i) => [owner, verdict(outcomes[i]!)]));
    assert.deepEqual(decided, { 'q-1': 'overQuota', 'q-2': 'created', 'q-3': 'overQuota', 'q-4': 'created', 'q-5': 'created', 'q-6': 'overQuota', 'q-never-uploaded': 'created' });
  });

  test('two replicas racing one new owner store exactly what fits, never more', async () => {
    for (let round = 0; round < 5; round++) {
      const [replicaA, replicaB] = [new PostgresAssetRepository(db.pool, 1000), new PostgresAssetRepository(db.pool, 1000)];
      const owner = `racer-${round}`;
      // Small batches, one after another on each replica, so that the two replicas' statements overlap.
      const uploads = (replica: PostgresAssetRepository) =>
        Array.from({ length: 15 }, async (_, i) => {
          await new Promise((resolve) => setTimeout(resolve, i));
          return replica.insertOrFindByIdempotencyKey(newAsset({ ownerId: owner, sizeBytes: 60 }));
        });
      const outcomes = (await Promise.all([...uploads(replicaA), ...uploads(replicaB)])).map(verdict);
      assert.equal(outcomes.filter((v) => v === 'created').length, 16, `round ${round}`);
      assert.equal(await heldBy(owner), 960, `round ${round}`);
    }
  });

  /** `asset` inserted while another replica's upload `first` of the same owner is uncommitted, which then commits. */
  const insertDuringUncommitted = async (repository: PostgresAssetRepository, first: NewAsset, asset: NewAsset) => {
    const other = await db.pool.connect();
    try {
      await insertUncommitted(other, first);
      const waiting = repository.insertOrFindByIdempotencyKey(asset);
      await sleep(LOCK_WAIT_MS);
      await other.query('COMMIT');
      return verdict(await waiting);
    } finally {
      other.release(true);
    }
  };

  test('an upload waits for another replica\'s uncommitted upload of its owner, and is decided on the total it commits', async () => {
    const repository = new PostgresAssetRepository(db.pool, 100);
    assert.equal(verdict(await repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'waiter', sizeBytes: 10 }))), 'created');
    const decided = await insertDuringUncommitted(repository, newAsset({ ownerId: 'waiter', sizeBytes: 70 }), newAsset({ ownerId: 'waiter', sizeBytes: 30 }));
    assert.equal(decided, 'overQuota', '10 + 70 committed meanwhile + 30 > 100');
    assert.equal(await heldBy('waiter'), 80);
  });

  test('a new owner\'s first upload waits for another replica\'s first upload of that owner, and is decided on its total', async () => {
    const repository = new PostgresAssetRepository(db.pool, 100);
    const decided = await insertDuringUncommitted(repository, newAsset({ ownerId: 'newcomer', sizeBytes: 70 }), newAsset({ ownerId: 'newcomer', sizeBytes: 50 }));
    assert.equal(decided, 'overQuota');
    assert.equal(await heldBy('newcomer'), 70);
  });

  test('a deadlock with a status change of the owner\'s asset holding the same key costs the insert a retry, not an error', async () => {
    const repository = new PostgresAssetRepository(db.pool, 1000);
    const first = stored(await repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'deadlock', idempotencyKey: 'k', sizeBytes: 10 }))).asset;
    const other = await db.pool.connect();
    try {
      await other.query('BEGIN');
      // The backend whose deadlock_timeout runs out first breaks the cycle by failing itself: make that the
      // insert's (1 s), whatever the machine's load does to the timing, so the retry is what is tested.
      await other.query("SET LOCAL deadlock_timeout = '10s'");
      // Confirming changes no total: the transaction holds the asset row (and its key), not the owner's total.
      await other.query("UPDATE assets SET status = 'READY' WHERE id = $1", [first.id]);
      const retried = repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'deadlock', idempotencyKey: 'k', sizeBytes: 10 }));
      await sleep(LOCK_WAIT_MS); // the insert holds the owner's total and waits for the key
      // Deleting frees bytes: its trigger needs the total the insert holds. PostgreSQL breaks the cycle.
      await other.query("UPDATE assets SET status = 'DELETED', deleted_at = now() WHERE id = $1", [first.id]);
      await other.query('COMMIT');
      const outcome = stored(await retried);
      assert.deepEqual([outcome.created, outcome.asset.id, outcome.asset.status], [false, first.id, 'DELETED']);
    } finally {
      other.release(true); // after a failure its transaction may still be open: never back into the pool
    }
  });

  test('uploads of an owner already at the quota are refused in their batch statement, with no retries', async () => {
    const { pool, statements } = countingPool(db.pool);
    const repository = new PostgresAssetRepository(pool, 100);
    assert.equal(verdict(await repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'full', sizeBytes: 100 }))), 'created');
    const before = statements();
    const inFlight = repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'full', sizeBytes: 10 }));
    const queued = Array.from({ length: 20 }, () => repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'full', sizeBytes: 10 })));
    assert.deepEqual([...new Set((await Promise.all([inFlight, ...queued])).map(verdict))], ['overQuota']);
    assert.equal(statements() - before, 2, 'the one in flight, then the 20 queued together');
  });

  test('a small upload batched behind a refused large one of the same owner is still stored', async () => {
    const repository = new PostgresAssetRepository(db.pool, 100);
    // A create in flight makes the next ones queue up and go together, in this order.
    const inFlight = repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'batched', sizeBytes: 40 }));
    const queued = [30, 50, 30].map((sizeBytes) => repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'batched', sizeBytes })));
    assert.equal(verdict(await inFlight), 'created');
    assert.deepEqual((await Promise.all(queued)).map(verdict), ['created', 'overQuota', 'created']);
    assert.equal(await heldBy('batched'), 100);
  });

  test('a small upload going again on its own, behind a refused large one, holds up no other owner\'s uploads', async () => {
    const repository = new PostgresAssetRepository(db.pool, 100);
    assert.equal(verdict(await repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'patient', sizeBytes: 40 }))), 'created');
    const other = await db.pool.connect();
    try {
      // Another replica's failed upload with the small one's key, uncommitted: the small one's lone insert waits for it.
      await insertUncommitted(other, newAsset({ ownerId: 'patient', idempotencyKey: 'contested' }), 'upload never arrived');
      const inFlight = repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'bystander', sizeBytes: 1 }));
      const large = repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'patient', sizeBytes: 70 }));
      const small = repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'patient', sizeBytes: 30, idempotencyKey: 'contested' }));
      let smallSettled = false;
      void small.finally(() => (smallSettled = true));
      assert.equal(verdict(await within(5000, large, 'the large upload')), 'overQuota');
      await sleep(LOCK_WAIT_MS);
      const later = await within(5000, repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'bystander', sizeBytes: 1 })), 'an upload of another owner');
      assert.deepEqual([verdict(await inFlight), verdict(later), smallSettled], ['created', 'created', false]);
      await other.query('ROLLBACK');
      assert.equal(verdict(await small), 'created');
      assert.equal(await heldBy('patient'), 70);
    } finally {
      other.release(true);
    }
  });

  test('an upload that fits exactly is stored, one byte more is not, and a freed byte makes room', async () => {
    const repository = new PostgresAssetRepository(db.pool, 100);
    const full = await repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'edge', sizeBytes: 100 }));
    assert.equal(verdict(full), 'created');
    assert.equal(verdict(await repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'edge', sizeBytes: 1 }))), 'overQuota');
    const { asset } = full as { asset: { id: string; version: number } };
    await repository.transition(asset.id, asset.version, { status: 'DELETED', deletedBy: 'edge' });
    assert.equal(verdict(await repository.insertOrFindByIdempotencyKey(newAsset({ ownerId: 'edge', sizeBytes: 1 }))), 'created');
  });
});
