import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AssetError } from '../../../src/domain/errors.js';
import { redisCounters, throttledWarning } from '../../../src/limits/redis-counters.js';

function storeOn(status: Redis['status']) {
  const warnings: unknown[] = [];
  const logger = { warn: (...args: unknown[]) => void warnings.push(args) } as unknown as Logger;
  return { store: redisCounters({ status } as Redis, logger), warnings };
}

const failing = () => Promise.reject(new Error('Connection is closed.'));

describe('Redis counters', () => {
  test('a failed Redis call is REDIS_UNAVAILABLE: retryable, naming Redis and the setting to check', async () => {
    const error = await storeOn('reconnecting').store.guard(failing).catch((e: unknown) => e);
    assert.ok(error instanceof AssetError, String(error));
    assert.equal(error.code, 'REDIS_UNAVAILABLE');
    assert.equal(error.details.retryAfterSeconds, 5);
    assert.match(error.message, /Redis.*retry in a few seconds.*REDIS_URL/);
  });

  test('a failure while connected is logged (a lost connection is logged once by the connection itself)', async () => {
    const connected = storeOn('ready');
    await assert.rejects(connected.store.guard(failing));
    assert.equal(connected.warnings.length, 1);
    const reconnecting = storeOn('reconnecting');
    await assert.rejects(reconnecting.store.guard(failing));
    assert.equal(reconnecting.warnings.length, 0);
  });

  test('what Redis answers passes through', async () => {
    assert.equal(await storeOn('ready').store.guard(async () => 42), 42);
  });
});

test('Redis failures while connected are warned about once per interval, counting the ones in between', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = { warn: (fields: Record<string, unknown>) => void lines.push(fields) } as unknown as Logger;
  const clock = { now: 0 };
  const warn = throttledWarning(logger, 10_000, () => clock.now);
  for (let i = 0; i < 5; i++) warn(new Error('Command timed out'));
  clock.now = 10_000;
  warn(new Error('Command timed out'));
  assert.equal(lines.length, 2);
  assert.equal(lines[1]!.failuresSinceLastWarning, 4);
});
