import type pg from 'pg';

export interface StorageLocation {
  bucket: string;
  region: string;
}

/**
 * Points asset rows stored at `from` to `to`, so that metadata and storage agree after a migration.
 * Returns how many rows were (with dryRun: would be) changed.
 *
 * One statement over every row of a bucket: on a big table, or behind rows the running service holds,
 * it may take longer than the pool's statement timeout, which is meant for requests. It runs without
 * one; SET LOCAL ends with its transaction, so the connection goes back to the pool with its timeout.
 */
export async function rewriteAssetLocations(pool: pg.Pool, from: StorageLocation, to: StorageLocation, dryRun: boolean): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL statement_timeout = 0');
    const count = dryRun ? await countAt(client, from) : await moveRows(client, from, to);
    await client.query('COMMIT');
    return count;
  } catch (error) {
    // A connection whose ROLLBACK fails is in no state to serve anyone else: it is discarded.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

async function countAt(client: pg.PoolClient, from: StorageLocation): Promise<number> {
  const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM assets WHERE storage_bucket = $1 AND storage_region = $2', [from.bucket, from.region]);
  return Number(rows[0]?.count ?? 0);
}

async function moveRows(client: pg.PoolClient, from: StorageLocation, to: StorageLocation): Promise<number> {
  const result = await client.query(
    'UPDATE assets SET storage_bucket = $3, storage_region = $4, updated_at = now() WHERE storage_bucket = $1 AND storage_region = $2',
    [from.bucket, from.region, to.bucket, to.region],
  );
  return result.rowCount ?? 0;
}
