import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadDatabaseUrl, loadJwksUrl, loadStorageSettings } from '../../../src/operations/settings.js';

const STORAGE = { STORAGE_HOSTNAME: 'localhost', STORAGE_PORT: '9000', STORAGE_USE_HTTPS: 'false', STORAGE_ACCESS_KEY: 'k', STORAGE_SECRET: 's' };

describe('operator command settings', () => {
  test('storage settings load without any database or JWT setting', () => {
    const loaded = loadStorageSettings({ ...STORAGE, ASSET_CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example' });
    assert.ok(loaded.ok);
    assert.equal(loaded.value.storage.port, 9000);
    assert.deepEqual(loaded.value.corsAllowedOrigins, ['https://a.example', 'https://b.example']);
  });

  test('a prefix reads a second store, and problems name the prefixed variables', () => {
    const env = Object.fromEntries(Object.entries(STORAGE).map(([k, v]) => [`SRC_${k}`, v]));
    const loaded = loadStorageSettings({ ...env, SRC_STORAGE_PORT: 'abc', STORAGE_PORT: '1' }, 'SRC_');
    assert.equal(loaded.ok, false);
    assert.deepEqual(!loaded.ok && loaded.problems, ['SRC_STORAGE_PORT must be a whole number (got "abc")']);
  });

  test('R2 host rules are reported like the service reports them', () => {
    const loaded = loadStorageSettings({ ...STORAGE, STORAGE_HOSTNAME: 'acc.r2.cloudflarestorage.com', STORAGE_PORT: '443', STORAGE_USE_HTTPS: 'true' });
    assert.equal(loaded.ok, false);
    assert.match(!loaded.ok ? loaded.problems.join('\n') : '', /STORAGE_REGION must be "auto"/);
  });

  test('database and JWT settings are each checked on their own', () => {
    assert.deepEqual(loadDatabaseUrl({ DATABASE_URL: 'postgres://u@h/db' }), { ok: true, value: 'postgres://u@h/db' });
    assert.equal(loadDatabaseUrl({}).ok, false);
    assert.equal(loadJwksUrl({ JWT_JWKS_URL: 'not a url' }).ok, false);
  });
});
