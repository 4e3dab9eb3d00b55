import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Asset, NewAsset } from '../../../src/domain/asset.js';
import type { InsertOutcome } from '../../../src/domain/ports.js';
import { createDatabase, endPool } from '../../support/infra.js';

/** A fresh database of its own, migrated or not, with a pool into it; `close` drops it. */
export async function freshDatabase(): Promise<{ pool: pg.Pool; close(): Promise<void> }> {
  const database = await createDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 10 });
  return {
    pool,
    async close() {
      await endPool(pool);
      await database.drop();
    },
  };
}

let sequence = 0;

/** A new asset row as the service would create it; `overrides` for what a test is about. */
export function newAsset(overrides: Partial<NewAsset> = {}): NewAsset {
  const id = randomUUID();
  const ownerId = overrides.ownerId ?? 'owner-a';
  const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    id,
    ownerId,
    namespace: 'attachments',
    visibility: 'PRIVATE',
    storageKey: `attachments/${ownerId}/${id}`,
    storageRegion: 'us-east-1',
    storageBucket: 'private-bucket',
    mimeType: 'image/png',
    sizeBytes: 1000 + sequence++,
    checksum: null,
    originalFilename: 'photo.png',
    uploadExpiresAt: new Date(createdAt.getTime() + 900_000),
    idempotencyKey: null,
    createdAt,
    ...overrides,
  };
}

/** The outcome of an insert that the quota did not refuse (there is none, or it had room). */
export function stored(outcome: InsertOutcome): { asset: Asset; created: boolean } {
  if ('overQuota' in outcome) throw new Error('refused by the storage quota');
  return outcome;
}

/** Counts the statements the repository sends through the real pool. */
export function countingPool(pool: pg.Pool): { pool: pg.Pool; statements(): number } {
  let statements = 0;
  const counted = new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return (...args: Parameters<pg.Pool['query']>) => {
        statements++;
        return (target.query as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  return { pool: counted, statements: () => statements };
}

/** The bytes the owner's kept total says they hold (0 without a row). */
export async function heldBytes(pool: pg.Pool, ownerId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT held_bytes::float8 AS n FROM owner_storage_usage WHERE owner_id = $1', [ownerId]);
  return rows[0]?.n ?? 0;
}
