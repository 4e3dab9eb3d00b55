/**
 * Settings that point at real infrastructure: dev mode would silently replace them (DATABASE_URL,
 * POSTGRES_*, STORAGE_*, JWT_JWKS_URL) or use them against the real thing (REDIS_URL), so it refuses instead.
 */
const REAL_SETTINGS = ['DATABASE_URL', 'JWT_JWKS_URL', 'REDIS_URL'];
const REAL_SETTING_PREFIXES = ['POSTGRES_', 'STORAGE_'];

/**
 * Kept apart from the embedded servers so that the refusal works where they are not installed
 * (the production image has no devDependencies).
 */
export function assertDevModeAllowed(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === 'production') {
    throw new Error('dev mode refuses to run with NODE_ENV=production; use `neotool-assets serve` with real settings');
  }
  const realSettings = Object.keys(env)
    .filter((name) => env[name] && (REAL_SETTINGS.includes(name) || REAL_SETTING_PREFIXES.some((prefix) => name.startsWith(prefix))))
    .sort();
  if (realSettings.length > 0) {
    throw new Error(
      `dev mode runs its own PostgreSQL, S3 server and token issuer (and no Redis), but real settings are set: ${realSettings.join(', ')}. ` +
        'Unset them to use dev mode, or use `npm start` to run with them.',
    );
  }
}
