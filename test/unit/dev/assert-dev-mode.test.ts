import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertDevModeAllowed } from '../../../src/dev/dev-mode-guard.js';

describe('assertDevModeAllowed', () => {
  it('refuses to run with NODE_ENV=production and points to `neotool-assets serve`', () => {
    assert.throws(() => assertDevModeAllowed({ NODE_ENV: 'production' }), /refuses to run with NODE_ENV=production.*neotool-assets serve/);
  });

  it('refuses when real settings are present, naming each of them and both ways out', () => {
    const env = { DATABASE_URL: 'postgres://db/x', POSTGRES_HOST: 'db', STORAGE_HOSTNAME: 's3.example.com', STORAGE_SECRET: 's', JWT_JWKS_URL: 'https://id/jwks' };
    assert.throws(
      () => assertDevModeAllowed(env),
      (error: Error) => {
        for (const name of Object.keys(env)) assert.match(error.message, new RegExp(`\\b${name}\\b`));
        assert.match(error.message, /[Uu]nset them.*npm start/);
        return true;
      },
    );
  });


  it('allows the tuning settings it passes on to the service (limits, TTLs, timeouts, pool size)', () => {
    const tuning = ['STORAGE_MAX_UPLOAD_BYTES', 'STORAGE_UPLOAD_TTL_SECONDS', 'STORAGE_DOWNLOAD_TTL_SECONDS', 'STORAGE_TIMEOUT_MS', 'STORAGE_CIRCUIT_RESET_MS', 'STORAGE_QUOTA_BYTES_PER_OWNER', 'DATABASE_POOL_MAX', 'JWT_JWKS_REFETCH_COOLDOWN_SECONDS', 'REDIS_TIMEOUT_MS'];
    assert.doesNotThrow(() => assertDevModeAllowed(Object.fromEntries(tuning.map((name) => [name, '1000']))));
  });

  const replacedOrIgnored = ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'STORAGE_PUBLIC_BUCKET', 'STORAGE_PUBLIC_BASE_PATH', 'STORAGE_REGION', 'JWT_ISSUER', 'JWT_AUDIENCE'];
  for (const name of replacedOrIgnored) {
    it(`refuses ${name} alone, which dev mode would otherwise silently override`, () => {
      assert.throws(() => assertDevModeAllowed({ [name]: 'x' }), new RegExp(`real settings are set: ${name}\\. Unset them`));
    });
  }

  it('refuses REDIS_URL alone, which dev mode would use against a real Redis', () => {
    assert.throws(() => assertDevModeAllowed({ REDIS_URL: 'redis://cache:6379' }), /real settings are set: REDIS_URL\. Unset them.*npm start/);
  });

  it('names every real setting of a mixed environment, sorted, and none of the harmless ones', () => {
    const env = { REDIS_URL: 'redis://cache:6379', POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'p', PORT: '8083', REDIS_TIMEOUT_MS: '500', DEV_POSTGRES_PORT: '5433' };
    assert.throws(() => assertDevModeAllowed(env), /real settings are set: POSTGRES_PASSWORD, POSTGRES_USER, REDIS_URL\. /);
  });

  it('allows a clean environment, including unrelated and empty variables', () => {
    assert.doesNotThrow(() => assertDevModeAllowed({ NODE_ENV: 'development', PATH: '/usr/bin', PORT: '8083', DATABASE_URL: '', POSTGRES_PORT: '', REDIS_URL: '', DEV_POSTGRES_PORT: '5433' }));
  });
});
