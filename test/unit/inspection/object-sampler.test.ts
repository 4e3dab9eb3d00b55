import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { readSample } from '../../../src/storage/object-sampler.js';
import { sha256Hex } from '../../support/fixtures.js';

const BYTES = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));

/** The bytes as storage streams them: in uneven chunks. */
function chunked(bytes: Buffer, size = 777): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

describe('readSample', () => {
  test('keeps exactly the first headBytes across chunk boundaries, and counts every byte', async () => {
    const sample = await readSample(chunked(BYTES), { headBytes: 2000, wholeBody: false, sha256: false });
    assert.deepEqual(Buffer.from(sample.head), BYTES.subarray(0, 2000));
    assert.equal(sample.readBytes, BYTES.length);
    assert.equal(sample.body, undefined);
    assert.equal(sample.sha256Hex, undefined);
  });

  test('hashes the whole stream when asked, without keeping the body', async () => {
    const sample = await readSample(chunked(BYTES), { headBytes: 64, wholeBody: false, sha256: true });
    assert.equal(sample.sha256Hex, sha256Hex(BYTES));
    assert.equal(sample.body, undefined);
  });

  test('keeps the whole body when asked', async () => {
    const sample = await readSample(chunked(BYTES), { headBytes: 64, wholeBody: true, sha256: true });
    assert.deepEqual(Buffer.from(sample.body!), BYTES);
    assert.equal(sample.sha256Hex, sha256Hex(BYTES));
  });

  test('an object shorter than headBytes yields all of it as the head', async () => {
    const sample = await readSample(chunked(BYTES.subarray(0, 10)), { headBytes: 64 * 1024, wholeBody: false, sha256: true });
    assert.deepEqual(Buffer.from(sample.head), BYTES.subarray(0, 10));
    assert.equal(sample.sha256Hex, sha256Hex(BYTES.subarray(0, 10)));
  });
});
