import type { EnvVarName } from '../config/env-schema.js';

/**
 * What dev mode sets itself, for its embedded PostgreSQL, S3 server and token issuer: a value given
 * for one of these would be silently replaced.
 */
const DEV_MODE_SETTINGS = [
  'DATABASE_URL',
  'STORAGE_HOSTNAME',
  'STORAGE_PORT',
  'STORAGE_USE_HTTPS',
  'STORAGE_REGION',
  'STORAGE_FORCE_PATH_STYLE',
  'STORAGE_ACCESS_KEY',
  'STORAGE_SECRET',
  'STORAGE_PUBLIC_BUCKET',
  'STORAGE_PRIVATE_BUCKET',
  'STORAGE_PUBLIC_BASE_PATH',
  'JWT_JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
] as const satisfies readonly EnvVarName[];
export type DevModeSetting = (typeof DEV_MODE_SETTINGS)[number];

/** Settings of real infrastructure dev mode does not set: ignored beside its DATABASE_URL (POSTGRES_*), or used against the real thing (REDIS_URL). */
const OTHER_REAL_SETTINGS: readonly EnvVarName[] = ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_DB', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'REDIS_URL'];

const REAL_SETTINGS: readonly EnvVarName[] = [...DEV_MODE_SETTINGS, ...OTHER_REAL_SETTINGS];

/**
 * Refuses dev mode in production and beside settings of real infrastructure. Tuning settings (limits,
 * timeouts, TTLs, pool size) are not refused: dev mode passes them on to the service.
 * Kept apart from the embedded servers so that the refusal works where they are not installed
 * (the production image has no devDependencies).
 */
export function assertDevModeAllowed(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === 'production') {
    throw new Error('dev mode refuses to run with NODE_ENV=production; use `neotool-assets serve` with real settings');
  }
  const realSettings = REAL_SETTINGS.filter((name) => env[name]).sort();
  if (realSettings.length > 0) {
    throw new Error(
      `dev mode runs its own PostgreSQL, S3 server and token issuer (and no Redis), but real settings are set: ${realSettings.join(', ')}. ` +
        'Unset them to use dev mode, or use `npm start` to run with them.',
    );
  }
}
