import type pg from 'pg';

export interface StorageLocation {
  bucket: string;
  region: string;
}

/**
 * Points asset rows stored at `from` to `to`, so that metadata and storage agree after a migration.
 * Returns how many rows were (with dryRun: would be) changed.
 */
export async function rewriteAssetLocations(pool: pg.Pool, from: StorageLocation, to: StorageLocation, dryRun: boolean): Promise<number> {
  if (dryRun) {
    const { rows } = await pool.query<{ count: string }>('SELECT count(*) FROM assets WHERE storage_bucket = $1 AND storage_region = $2', [from.bucket, from.region]);
    return Number(rows[0]?.count ?? 0);
  }
  const result = await pool.query(
    'UPDATE assets SET storage_bucket = $3, storage_region = $4, updated_at = now() WHERE storage_bucket = $1 AND storage_region = $2',
    [from.bucket, from.region, to.bucket, to.region],
  );
  return result.rowCount ?? 0;
}
