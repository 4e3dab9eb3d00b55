// storage sync's own multipart upload, against a fake S3 client that records the commands it is sent.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_PARTS, partSizeFor, uploadMultipart } from '../../../src/operations/sync/multipart-upload.js';
import { recordingS3Client } from '../fakes.js';

const PART = 5;

/** Answers each command through `answer` (AbortSignal passed on); `sent()` names the commands sent, with the part number of an UploadPart. */
function fakeClient(answer: (name: string, input: Record<string, unknown>, signal?: AbortSignal) => Promise<unknown>) {
  const { client, sent } = recordingS3Client(answer);
  return { client, sent: () => sent.map(({ name, input }) => (name === 'UploadPart' ? `UploadPart ${input.PartNumber}` : name)) };
}

async function* bytes(count: number): AsyncGenerator<Buffer> {
  yield Buffer.alloc(count, 1);
}

const PARAMS = { Bucket: 'b', Key: 'k' };

describe('uploadMultipart', () => {
  test('uploads every part, then completes with the parts in order', async () => {
    const { client, sent } = fakeClient(async (name, input) => (name === 'CreateMultipartUpload' ? { UploadId: 'u1' } : name === 'UploadPart' ? { ETag: `"e${input.PartNumber}"` } : { ETag: '"whole"' }));
    assert.equal(await uploadMultipart(client, PARAMS, bytes(12), { partSize: PART, queueSize: 2 }), '"whole"');
    assert.deepEqual(sent(), ['CreateMultipartUpload', 'UploadPart 1', 'UploadPart 2', 'UploadPart 3', 'CompleteMultipartUpload']);
  });

  test('an interrupt while the upload is being created sends no part and aborts the upload', async () => {
    const interrupt = new AbortController();
    const { client, sent } = fakeClient(async (name) => {
      if (name === 'CreateMultipartUpload') {
        interrupt.abort();
        return { UploadId: 'u1' };
      }
      return {};
    });
    await assert.rejects(uploadMultipart(client, PARAMS, bytes(12), { partSize: PART, queueSize: 2, signal: interrupt.signal }));
    assert.deepEqual(sent(), ['CreateMultipartUpload', 'AbortMultipartUpload']);
  });

  test('an interrupt cancels the part uploads in flight instead of waiting for them, then aborts the upload', async () => {
    const interrupt = new AbortController();
    const { client, sent } = fakeClient((name, _input, signal) => {
      if (name === 'CreateMultipartUpload') return Promise.resolve({ UploadId: 'u1' });
      if (name !== 'UploadPart') return Promise.resolve({});
      // A part that never answers by itself: only its abort signal ends it.
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    });
    const uploading = uploadMultipart(client, PARAMS, bytes(12), { partSize: PART, queueSize: 2, signal: interrupt.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    interrupt.abort();
    await assert.rejects(uploading);
    assert.deepEqual(sent(), ['CreateMultipartUpload', 'UploadPart 1', 'UploadPart 2', 'AbortMultipartUpload']);
  });
});

describe('the part size of a copy', () => {
  const MiB = 1024 * 1024;

  test('is the preferred one while the object fits into 10,000 parts of it', () => {
    assert.equal(partSizeFor(MAX_PARTS * 8 * MiB, 8 * MiB), 8 * MiB);
    assert.equal(partSizeFor(12, 8 * MiB), 8 * MiB);
  });

  test('grows to the smallest whole MiB that fits an object into 10,000 parts, one byte past the preferred size\'s reach', () => {
    const size = MAX_PARTS * 8 * MiB + 1;
    const partSize = partSizeFor(size, 8 * MiB);
    assert.equal(partSize, 9 * MiB);
    assert.ok(Math.ceil(size / partSize) <= MAX_PARTS);
  });

  test('cannot exceed S3\'s 5 GiB per part: a bigger object is refused, saying why', () => {
    assert.equal(partSizeFor(MAX_PARTS * 5 * 1024 * MiB, 8 * MiB), 5 * 1024 * MiB);
    assert.throws(() => partSizeFor(MAX_PARTS * 5 * 1024 * MiB + 1, 8 * MiB), /do not fit into 10000 parts of at most 5 GiB/);
  });
});
