// The client SDK in Node against the real service on PostgreSQL + Ceph: uploads end to end,
// a retried upload after a lost answer, typed errors, and a service outage.
import assert from 'node:assert/strict';
import { openAsBlob } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { AssetsClient, IntegrityError, NetworkError, NotFoundError, ValidationError, type RetryEvent } from '../../../packages/client/src/index.js';
import { countAssets, createUpload } from '../../support/flows.js';
import { fixture, sha256Hex } from '../../support/fixtures.js';
import { uploadTo } from '../../support/operations.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { startTestService, type TestService } from '../../support/test-service.js';
import { objectBytes } from '../../support/uploads.js';

const PNG = fixture('image.png');
const PNG_PATH = fileURLToPath(new URL('../../fixtures/image.png', import.meta.url));

async function bytesAt(url: string): Promise<Buffer> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `GET ${url}`);
  return Buffer.from(await response.arrayBuffer());
}

describe('client SDK against the real service', () => {
  let svc: TestService;
  let assets: AssetsClient;

  before(async () => {
    svc = await startTestService();
    assets = new AssetsClient({ url: svc.url, token: () => svc.token('sdk-user') });
  });
  after(() => svc.stop());

  test('uploads a PNG to a PUBLIC namespace: READY, verified checksum, and its public URL serves the same bytes', async () => {
    const asset = await assets.upload(PNG, { namespace: 'group-assets', filename: 'logo.png', mimeType: 'image/png' });
    assert.equal(asset.status, 'READY');
    assert.equal(asset.checksum, sha256Hex(PNG));
    assert.equal(await assets.downloadUrl(asset.id), asset.publicUrl);
    assert.deepEqual(await bytesAt(asset.publicUrl!), PNG);
  });

  test('streams a file from disk (fs.openAsBlob) to a PRIVATE namespace with progress, and its presigned URL serves the same bytes', async () => {
    const progress: number[] = [];
    const asset = await assets.upload(await openAsBlob(PNG_PATH, { type: 'image/png' }), {
      namespace: 'user-profiles',
      filename: 'me.png',
      onProgress: (p) => progress.push(p.loaded),
    });
    assert.equal(asset.status, 'READY');
    assert.equal(asset.mimeType, 'image/png');
    assert.equal(progress.at(-1), PNG.length);
    const url = await assets.downloadUrl(asset.id, { ttlSeconds: 60 });
    assert.match(url, /X-Amz-Expires=60/);
    assert.deepEqual(await bytesAt(url), PNG);
  });

  test('an upload repeated with the same idempotency key returns the first asset and stores nothing new', async () => {
    const options = { namespace: 'attachments', filename: 'notes.txt', mimeType: 'text/plain', idempotencyKey: 'sdk-repeat-1' };
    const first = await assets.upload(Buffer.from('hello world'), options);
    const before = await countAssets(svc.db);
    const again = await assets.upload(Buffer.from('hello world'), options);
    assert.equal(again.id, first.id);
    assert.equal(again.status, 'READY');
    assert.equal(await countAssets(svc.db), before);
  });

  test("when an earlier attempt's PUT landed but its answer was lost, the retry uploads again and the upload ends READY", async () => {
    const bytes = Buffer.from('hello world');
    const token = await svc.token('sdk-user');
    const input = { namespace: 'attachments', filename: 'notes.txt', mimeType: 'text/plain', sizeBytes: bytes.length, checksum: sha256Hex(bytes), idempotencyKey: 'sdk-lost-answer' };
    const earlier = await createUpload(svc, token, input);
    assert.equal((await uploadTo(earlier, bytes)).status, 200);

    const asset = await assets.upload(bytes, { namespace: 'attachments', filename: 'notes.txt', mimeType: 'text/plain', idempotencyKey: 'sdk-lost-answer' });
    assert.equal(asset.id, earlier.id);
    assert.equal(asset.status, 'READY');
    assert.deepEqual(await objectBytes(svc, earlier), bytes, 'confirm copied the upload to the asset key');
  });

  test("a MIME type the namespace does not allow is a ValidationError naming mimeType, and nothing is stored", async () => {
    const before = await countAssets(svc.db);
    const error = await assets.upload(Buffer.from('MZ\x90\x00'), { namespace: 'user-profiles', filename: 'tool.exe', mimeType: 'application/x-msdownload' }).catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.field, 'mimeType');
    assert.match(error.message, /not allowed in namespace "user-profiles"/);
    assert.equal(await countAssets(svc.db), before);
  });

  test('bytes that are not the declared type are an IntegrityError with failureReason CONTENT_MISMATCH, and the asset is FAILED', async () => {
    const error = await assets.upload(Buffer.from('just some text, not an image'), { namespace: 'user-profiles', filename: 'fake.png', mimeType: 'image/png' }).catch((e: unknown) => e);
    assert.ok(error instanceof IntegrityError, String(error));
    assert.equal(error.failureReason, 'CONTENT_MISMATCH');
    const { rows } = await svc.db.query("SELECT status FROM assets WHERE original_filename = 'fake.png'");
    assert.deepEqual(rows, [{ status: 'FAILED' }]);
  });

  test('list pages through the caller’s uploads newest first; delete removes one, and deleting it again is a NotFoundError', async () => {
    const listed = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<AssetsClient['list']>> = await assets.list({ first: 2, after });
      listed.push(...page.assets);
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    const { rows } = await svc.db.query("SELECT id FROM assets WHERE owner_id = 'sdk-user' AND status <> 'DELETED' ORDER BY created_at DESC, id DESC");
    assert.deepEqual(listed.map((a) => a.id), rows.map((r) => r.id));

    const doomed = listed[0]!;
    await assets.delete(doomed.id);
    assert.equal(await assets.get(doomed.id), null);
    await assert.rejects(assets.delete(doomed.id), NotFoundError);
  });

  test('an unreachable service is a NetworkError naming the cause, after the configured retries', async () => {
    const proxy = await new TcpProxy('127.0.0.1', Number(new URL(svc.url).port)).start();
    await proxy.cut();
    const retries: RetryEvent[] = [];
    const offline = new AssetsClient({ url: `http://127.0.0.1:${proxy.port}`, token: 't', retry: { retries: 2, baseDelayMs: 10 }, onRetry: (e) => retries.push(e) });
    const error = await offline.get('0190f1d2-0000-7000-8000-000000000001').catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError, String(error));
    assert.match(error.message, /ECONNREFUSED/);
    assert.equal(retries.length, 2);
  });

  test('an upload started while the service is unreachable completes once it is back, as one asset', async () => {
    const proxy = await new TcpProxy('127.0.0.1', Number(new URL(svc.url).port)).start();
    await proxy.cut();
    const retries: RetryEvent[] = [];
    const client = new AssetsClient({
      url: `http://127.0.0.1:${proxy.port}`,
      token: () => svc.token('sdk-outage'),
      retry: { baseDelayMs: 50 },
      onRetry: (event) => {
        retries.push(event);
        if (event.retry === 2) void proxy.restore();
      },
    });
    try {
      const asset = await client.upload(Buffer.from('hello world'), { namespace: 'attachments', filename: 'notes.txt', mimeType: 'text/plain' });
      assert.equal(asset.status, 'READY');
      assert.deepEqual(retries.map((r) => [r.operation, r.error.code]), [['createAssetUpload', 'NETWORK_ERROR'], ['createAssetUpload', 'NETWORK_ERROR']]);
      const { rows } = await svc.db.query("SELECT count(*)::int AS n FROM assets WHERE owner_id = 'sdk-outage'");
      assert.equal(rows[0].n, 1);
    } finally {
      await proxy.cut();
    }
  });
});
