// AssetsClient.upload against a fake service and storage: the three steps, the signed headers, the
// checksum, progress, retries under one idempotency key, and what a refused PUT means.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AssetsClient, IntegrityError, NetworkError, UploadRejectedError, ValidationError, type RetryEvent } from '../../../packages/client/src/index.js';
import { asset, ASSET_ID, connectionRefused, data, FakeService, graphQLError, s3Error, sha256Hex, UPLOAD_URL } from './fake-service.js';

const BYTES = Buffer.from('hello world');
const OPTIONS = { namespace: 'attachments', filename: 'notes.txt', mimeType: 'text/plain' };

function clientOf(service: FakeService, retries: RetryEvent[] = []) {
  return new AssetsClient({
    url: 'https://assets.test/',
    token: 'token-1',
    fetch: service.fetch,
    retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 5 },
    onRetry: (event) => retries.push(event),
  });
}

describe('AssetsClient.upload', () => {
  test('declares the file with its size and SHA-256, PUTs exactly the bytes with the signed headers, then confirms', async () => {
    const service = new FakeService();
    const ready = await clientOf(service).upload(BYTES, OPTIONS);

    assert.deepEqual(service.requests.map((r) => r.operation), ['CreateAssetUpload', 'PUT', 'ConfirmAssetUpload']);
    const [create, put, confirm] = service.requests;
    assert.equal(create!.url, 'https://assets.test/graphql');
    assert.equal(create!.headers.authorization, 'Bearer token-1');
    assert.deepEqual({ ...create!.variables.input, idempotencyKey: undefined }, { ...OPTIONS, sizeBytes: 11, checksum: sha256Hex(BYTES), idempotencyKey: undefined });
    assert.equal(put!.url, UPLOAD_URL);
    assert.deepEqual(put!.body, BYTES);
    assert.deepEqual(put!.headers, {
      'content-length': '11',
      'content-type': 'text/plain',
      'x-amz-checksum-sha256': Buffer.from(sha256Hex(BYTES), 'hex').toString('base64'),
    }, 'the PUT carries the signed headers of uploadHeaders and nothing else');
    assert.equal(confirm!.variables.assetId, ASSET_ID);
    assert.equal(ready.status, 'READY');
  });

  test("takes filename and MIME type from a File, and refuses data that names neither before calling the service", async () => {
    const service = new FakeService();
    await clientOf(service).upload(new File([BYTES], 'from-file.csv', { type: 'text/csv' }), { namespace: 'attachments' });
    assert.equal(service.calls('CreateAssetUpload')[0]!.variables.input.filename, 'from-file.csv');
    assert.equal(service.calls('CreateAssetUpload')[0]!.variables.input.mimeType, 'text/csv');

    const bare = new FakeService();
    const error = await clientOf(bare).upload(BYTES, { namespace: 'attachments', filename: 'x.txt' }).catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError && error.field === 'mimeType', String(error));
    assert.equal(bare.requests.length, 0);
  });

  test('reports progress while sending, ending at the full size', async () => {
    const service = new FakeService();
    const bytes = Buffer.alloc(200 * 1024, 7);
    const seen: number[] = [];
    await clientOf(service).upload(bytes, { ...OPTIONS, mimeType: 'application/octet-stream', onProgress: (p) => seen.push(p.loaded / p.total) });
    assert.ok(seen.length >= 3, `expected several progress events, got ${seen}`);
    assert.deepEqual([...seen].sort((a, b) => a - b), seen, 'progress never goes back');
    assert.equal(seen.at(-1), 1);
  });

  test('retries a lost connection, a storage 503 and STORAGE_UNAVAILABLE with growing delays, always under the same idempotency key', async () => {
    const service = new FakeService()
      .answer('CreateAssetUpload', connectionRefused(), new Response('<html>bad gateway</html>', { status: 502 }))
      .answer('PUT', s3Error(503, 'SlowDown', 'Please reduce your request rate.'))
      .answer('ConfirmAssetUpload', graphQLError('STORAGE_UNAVAILABLE', 'Storage is unavailable', { retryAfterSeconds: 0 }));
    const retries: RetryEvent[] = [];
    const ready = await clientOf(service, retries).upload(BYTES, OPTIONS);

    assert.equal(ready.status, 'READY');
    const keys = new Set(service.calls('CreateAssetUpload').map((r) => r.variables.input.idempotencyKey));
    assert.equal(service.calls('CreateAssetUpload').length, 3);
    assert.equal(keys.size, 1, 'every attempt carries the one key');
    assert.match([...keys][0], /^[0-9a-f]{32}$/);
    assert.deepEqual(retries.map((r) => [r.operation, r.retry, r.error.code]), [
      ['createAssetUpload', 1, 'NETWORK_ERROR'],
      ['createAssetUpload', 2, 'NETWORK_ERROR'],
      ['upload', 1, 'STORAGE_UNAVAILABLE'],
      ['confirmAssetUpload', 1, 'STORAGE_UNAVAILABLE'],
    ]);
  });

  test('backoff doubles from baseDelayMs, with jitter, up to maxDelayMs, and waits at least what the service asked for', async () => {
    const service = new FakeService().answer('CreateAssetUpload', ...Array.from({ length: 5 }, () => connectionRefused()));
    const retries: RetryEvent[] = [];
    const client = new AssetsClient({ url: 'https://assets.test', token: 't', fetch: service.fetch, retry: { retries: 5, baseDelayMs: 8, maxDelayMs: 40 }, onRetry: (e) => retries.push(e) });
    await client.upload(BYTES, OPTIONS);
    const bounds = [[4, 8], [8, 16], [16, 32], [20, 40], [20, 40]];
    retries.forEach((r, i) => assert.ok(r.delayMs >= bounds[i]![0]! && r.delayMs <= bounds[i]![1]!, `retry ${i + 1} waited ${r.delayMs} ms`));

    const asked = new FakeService().answer('ConfirmAssetUpload', graphQLError('DATABASE_UNAVAILABLE', 'down', { retryAfterSeconds: 0.03 }));
    const waits: RetryEvent[] = [];
    await new AssetsClient({ url: 'https://assets.test', token: 't', fetch: asked.fetch, retry: { baseDelayMs: 1, maxDelayMs: 1000 }, onRetry: (e) => waits.push(e) }).upload(BYTES, OPTIONS);
    assert.equal(waits[0]!.delayMs, 30);
  });

  test('gives up after the configured retries with the last transient error', async () => {
    const service = new FakeService().answer('CreateAssetUpload', ...Array.from({ length: 4 }, () => connectionRefused()));
    const error = await clientOf(service).upload(BYTES, OPTIONS).catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError, String(error));
    assert.match(error.message, /ECONNREFUSED/);
    assert.equal(service.calls('CreateAssetUpload').length, 4);
    assert.equal(service.calls('PUT').length, 0);
  });

  test('a PUT whose answer was lost is sent again, then confirmed once', async () => {
    const service = new FakeService().answer('PUT', connectionRefused());
    const ready = await clientOf(service).upload(BYTES, OPTIONS);
    assert.equal(ready.status, 'READY');
    assert.equal(service.calls('PUT').length, 2);
    assert.equal(service.calls('ConfirmAssetUpload').length, 1);
  });

  test('a PUT that storage refuses (403) is an UploadRejectedError with storage’s reason, neither retried nor confirmed', async () => {
    const service = new FakeService().answer('PUT', s3Error(403, 'AccessDenied', 'Request has expired'));
    const error = await clientOf(service).upload(BYTES, OPTIONS).catch((e: unknown) => e);
    assert.ok(error instanceof UploadRejectedError, String(error));
    assert.equal(error.details.status, 403);
    assert.match(error.message, /AccessDenied \(Request has expired\); start the upload again\.$/, 'a live URL refused: no talk of expiry');
    assert.equal(service.calls('PUT').length, 1);
    assert.equal(service.calls('ConfirmAssetUpload').length, 0);
  });

  test('a PUT refused because its URL expired says so, and that upload() again (same idempotencyKey) starts a new upload', async () => {
    const expired = asset({ uploadUrl: UPLOAD_URL, uploadHeaders: [{ name: 'Content-Type', value: 'text/plain' }], uploadExpiresAt: '2026-01-01T00:15:00.000Z' });
    const service = new FakeService().answer('CreateAssetUpload', data({ createAssetUpload: expired })).answer('PUT', s3Error(403, 'AccessDenied', 'Request has expired'));
    const error = await clientOf(service).upload(BYTES, OPTIONS).catch((e: unknown) => e);
    assert.ok(error instanceof UploadRejectedError, String(error));
    assert.equal(
      error.message,
      'Storage refused the upload with HTTP 403: AccessDenied (Request has expired); its upload URL expired at 2026-01-01T00:15:00.000Z. Call upload() again: with the same idempotencyKey it starts a new upload.',
    );
  });

  test('an upload whose key already made a READY asset returns that asset without sending the bytes again', async () => {
    const done = asset({ status: 'READY', idempotencyKey: 'k1', uploadUrl: null, uploadHeaders: null });
    const service = new FakeService().answer('CreateAssetUpload', data({ createAssetUpload: done }));
    const result = await clientOf(service).upload(BYTES, { ...OPTIONS, idempotencyKey: 'k1' });
    assert.equal(result.status, 'READY');
    assert.equal(service.calls('CreateAssetUpload')[0]!.variables.input.idempotencyKey, 'k1');
    assert.deepEqual(service.requests.map((r) => r.operation), ['CreateAssetUpload']);
  });

  test('a failed integrity check is an IntegrityError carrying the failureReason, not retried', async () => {
    const service = new FakeService().answer('ConfirmAssetUpload', graphQLError('INTEGRITY_ERROR', 'not a PNG', { failureReason: 'CONTENT_MISMATCH', status: 'FAILED' }));
    const error = await clientOf(service).upload(BYTES, OPTIONS).catch((e: unknown) => e);
    assert.ok(error instanceof IntegrityError, String(error));
    assert.equal(error.failureReason, 'CONTENT_MISMATCH');
    assert.equal(error.message, 'not a PNG');
    assert.equal(service.calls('ConfirmAssetUpload').length, 1);
  });

  test('an abort during a backoff wait rejects at once with the abort reason and sends nothing more', async () => {
    const service = new FakeService().answer('CreateAssetUpload', connectionRefused());
    const controller = new AbortController();
    const client = new AssetsClient({ url: 'https://assets.test', token: 't', fetch: service.fetch, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, onRetry: () => controller.abort(new Error('user cancelled')) });
    const started = Date.now();
    await assert.rejects(client.upload(BYTES, { ...OPTIONS, signal: controller.signal }), /user cancelled/);
    assert.ok(Date.now() - started < 5000);
    assert.equal(service.requests.length, 1);
  });
});
