import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validate, version } from 'uuid';
import { pooledUuidV7 } from '../../../src/ids/uuid-v7.js';

test('pooled ids are valid, distinct UUID v7s in creation order, also across pool refills', () => {
  const next = pooledUuidV7();
  const ids = Array.from({ length: 1000 }, () => next());
  assert.ok(ids.every((id) => validate(id) && version(id) === 7));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
});

test('two generators never hand out the same random bits', () => {
  const [a, b] = [pooledUuidV7(), pooledUuidV7()];
  const tails = (next: () => string) => new Set(Array.from({ length: 300 }, () => next().slice(-12)));
  const fromA = tails(a);
  assert.equal([...tails(b)].filter((t) => fromA.has(t)).length, 0);
});
