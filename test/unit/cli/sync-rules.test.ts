import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { copyReason } from '../../../src/operations/sync/copy-decision.js';
import { StreamDigest } from '../../../src/operations/sync/etag.js';
import { SyncProgress } from '../../../src/operations/sync/sync-progress.js';

const md5 = (data: Buffer) => createHash('md5').update(data).digest();

async function digestOf(data: Buffer, partSize: number | undefined, chunkSize: number): Promise<StreamDigest> {
  const digest = new StreamDigest(partSize);
  const chunks = Array.from({ length: Math.ceil(data.length / chunkSize) }, (_, i) => data.subarray(i * chunkSize, (i + 1) * chunkSize));
  await pipeline(Readable.from(chunks), digest, async (source) => {
    for await (const _ of source) void _;
  });
  return digest;
}

describe('StreamDigest', () => {
  test('expects the plain MD5 as ETag for an object that fits in one part', async () => {
    const data = randomBytes(1000);
    assert.equal((await digestOf(data, 1000, 333)).expectedEtag(), md5(data).toString('hex'));
  });

  test('expects the MD5 of the part MD5s and the part count for a multipart object, whatever the chunking', async () => {
    const data = randomBytes(2500);
    const expected = `${createHash('md5').update(Buffer.concat([md5(data.subarray(0, 1000)), md5(data.subarray(1000, 2000)), md5(data.subarray(2000))])).digest('hex')}-3`;
    for (const chunkSize of [1, 7, 1000, 4096]) assert.equal((await digestOf(data, 1000, chunkSize)).expectedEtag(), expected, `chunks of ${chunkSize}`);
  });

  test('without a part size (one PUT) expects the plain MD5, however large the object', async () => {
    const data = randomBytes(2500);
    assert.equal((await digestOf(data, undefined, 700)).expectedEtag(), md5(data).toString('hex'));
  });

  test('gives the same MD5 and ETag however often and in whatever order they are asked', async () => {
    const data = randomBytes(1500);
    const digest = await digestOf(data, undefined, 400);
    const hex = md5(data).toString('hex');
    assert.deepEqual([digest.md5(), digest.expectedEtag(), digest.md5()], [hex, hex, hex]);
  });

  test('an object of exactly two parts has no empty third part', async () => {
    const data = randomBytes(2000);
    assert.match((await digestOf(data, 1000, 600)).expectedEtag(), /-2$/);
  });
});

describe('copy decision', () => {
  const object = { key: 'k', size: 10, etag: '0123456789abcdef0123456789abcdef' };
  const noHead = async () => assert.fail('must not read the destination metadata');

  test('copies what is missing or of another size, skips the same ETag, recopies another MD5 without a HEAD', async () => {
    assert.equal(await copyReason(object, undefined, noHead), 'missing');
    assert.equal(await copyReason(object, { ...object, size: 11 }, noHead), 'changed');
    assert.equal(await copyReason(object, { ...object }, noHead), undefined);
    assert.equal(await copyReason(object, { ...object, etag: 'ffffffffffffffffffffffffffffffff' }, noHead), 'changed');
  });

  test('decides by the source ETag recorded on the copy when the ETags are not comparable', async () => {
    const multipart = { ...object, etag: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-2' };
    assert.equal(await copyReason(multipart, object, async () => multipart.etag), undefined);
    assert.equal(await copyReason(multipart, object, async () => 'another-etag-1'), 'changed');
    assert.equal(await copyReason(multipart, object, async () => undefined), 'changed');
  });
});

describe('sync progress', () => {
  test('counts skipped objects as done without inflating the transfer rate', () => {
    const progress = new SyncProgress(2, 300);
    progress.finished({ key: 'skipped', size: 100, etag: '' }, 0);
    progress.transferred(50);
    const s = progress.snapshot();
    assert.deepEqual([s.objects, s.bytes, s.totalBytes], [1, 150, 300]);
    assert.ok(s.etaSeconds === null || s.etaSeconds > 0);
  });

  test('estimates the time left from the bytes left at the rate bytes were copied, so 99.5% done after 9 s leaves a second', () => {
    let now = 0;
    const progress = new SyncProgress(8, 1000, () => now);
    progress.transferred(995);
    for (let i = 0; i < 6; i++) progress.finished({ key: `k${i}`, size: 100, etag: '' }, 100);
    now = 9000;
    assert.equal(progress.snapshot().etaSeconds, 1);
  });

  test('the estimate goes down as the copy progresses at a steady rate', () => {
    let now = 0;
    const progress = new SyncProgress(10, 10_000, () => now);
    const etas: (number | null)[] = [];
    for (let second = 1; second <= 5; second++) {
      progress.transferred(1000);
      progress.finished({ key: `k${second}`, size: 1000, etag: '' }, 1000);
      now = second * 1000;
      etas.push(progress.snapshot().etaSeconds);
    }
    assert.deepEqual(etas, [9, 8, 7, 6, 5]);
  });

  test('gives no estimate in the first second, nor before a byte was copied', () => {
    let now = 0;
    const progress = new SyncProgress(2, 1000, () => now);
    progress.transferred(10);
    now = 500;
    assert.equal(progress.snapshot().etaSeconds, null);
    const idle = new SyncProgress(2, 1000, () => now);
    now = 5000;
    assert.equal(idle.snapshot().etaSeconds, null);
  });

  test('an interrupted object counts neither as done nor with the bytes it had streamed', () => {
    const progress = new SyncProgress(3, 300);
    progress.transferred(100);
    progress.finished({ key: 'copied', size: 100, etag: '' }, 100);
    progress.transferred(40);
    progress.abandoned(40);
    const s = progress.snapshot();
    assert.deepEqual([s.objects, s.bytes], [1, 100]);
  });
});
