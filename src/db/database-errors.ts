import { AssetError } from '../domain/errors.js';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

function isConnectionFailure(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (e?.code !== undefined && CONNECTION_CODES.has(e.code)) || /timeout|terminat|Connection ended/i.test(e?.message ?? '');
}

/** Turns a lost or unreachable database into a retryable API error instead of a stack trace. */
export async function withDatabaseErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isConnectionFailure(error)) {
      throw new AssetError('DATABASE_UNAVAILABLE', 'The database is unreachable right now; retry in a few seconds.', { retryAfterSeconds: 5 });
    }
    throw error;
  }
}
