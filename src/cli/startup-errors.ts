import { StartupError } from '../config/startup-error.js';

/** Turns whatever stopped the start into one message that names the setting and the fix. No stack traces. */
export function describeStartupError(error: unknown): string {
  // Configuration, buckets, Redis: already phrased for the operator.
  if (error instanceof StartupError) return error.message;
  const e = error as { code?: string; message?: string; address?: string; port?: number; hostname?: string };
  if (e?.code === 'ECONNREFUSED' && e.port !== undefined) {
    return `Cannot reach PostgreSQL at ${e.address}:${e.port} (connection refused). Check DATABASE_URL / POSTGRES_HOST and POSTGRES_PORT, and that the database is running.`;
  }
  // Storage names are resolved inside bucket validation, so an unknown host here is the database's (or HOST's).
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') {
    return `Cannot resolve the host name "${e.hostname}" (${e.code}). Check DATABASE_URL / POSTGRES_HOST, or HOST if that is the address to listen on.`;
  }
  // node-postgres' own words when the other end is silent or is not PostgreSQL at all.
  if (/^Connection terminated/i.test(e?.message ?? '')) {
    return `The database connection failed (${e.message}). Check that DATABASE_URL / POSTGRES_HOST and POSTGRES_PORT point at a PostgreSQL server reachable from here.`;
  }
  if (e?.code === '28P01' || e?.code === '28000') return `PostgreSQL rejected the credentials (${e.message}). Fix DATABASE_URL / POSTGRES_USER / POSTGRES_PASSWORD.`;
  if (e?.code === '3D000') return `${e.message}. Create the database or fix DATABASE_URL / POSTGRES_DB.`;
  if (e?.code === 'EADDRINUSE') return `Port already in use (${e.message}). Stop the other process or set PORT.`;
  return e?.message ?? String(error);
}
