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

  it('refuses a single stray STORAGE_* setting', () => {
    assert.throws(() => assertDevModeAllowed({ STORAGE_MAX_UPLOAD_BYTES: '10' }), /STORAGE_MAX_UPLOAD_BYTES/);
  });

  it('allows a clean environment, including unrelated and empty variables', () => {
    assert.doesNotThrow(() => assertDevModeAllowed({ NODE_ENV: 'development', PATH: '/usr/bin', PORT: '8083', DATABASE_URL: '' }));
  });
});
