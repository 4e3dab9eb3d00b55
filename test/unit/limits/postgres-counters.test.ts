import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type pg from 'pg';
import { AssetError } from '../../../src/domain/errors.js';
import { postgresCounters } from '../../../src/limits/postgres-counters.js';

/** The guard never touches the pool: it only judges what the wrapped call did. */
const store = postgresCounters({} as pg.Pool);

describe('PostgreSQL counters', () => {
  test('an unreachable database is DATABASE_UNAVAILABLE: retryable, not a stack trace', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const error = await store.guard(() => Promise.reject(refused)).catch((e: unknown) => e);
    assert.ok(error instanceof AssetError, String(error));
    assert.equal(error.code, 'DATABASE_UNAVAILABLE');
    assert.equal(error.details.retryAfterSeconds, 5);
  });

  test('a failure that is not a lost database passes through as it is', async () => {
    const missingTable = Object.assign(new Error('relation "upload_limit_counters" does not exist'), { code: '42P01' });
    const error = await store.guard(() => Promise.reject(missingTable)).catch((e: unknown) => e);
    assert.equal(error, missingTable);
  });

  test('what PostgreSQL answers passes through', async () => {
    assert.equal(await store.guard(async () => 42), 42);
  });
});
