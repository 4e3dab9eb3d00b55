// Presigned URLs expire in storage itself, not only in the API: a service configured with lifetimes of
// a second or two hands out URLs that Ceph refuses a couple of seconds later.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createUpload, readyAsset, signedLifetimeSeconds, sleep } from '../support/flows.js';
import { GET, GET_DOWNLOAD, uploadInput, uploadTo } from '../support/operations.js';
import { startTestService, type TestService } from '../support/test-service.js';

// `brief` takes the service-wide upload lifetime; `roomy` overrides it, leaving time to upload.
const NAMESPACES = `
namespaces:
  brief:
    visibility: PRIVATE
    keyTemplate: "{namespace}/{ownerId}/{assetId}"
    maxSizeBytes: 1024
    allowedMimeTypes: [text/plain]
  roomy:
    visibility: PRIVATE
    keyTemplate: "{namespace}/{ownerId}/{assetId}"
    maxSizeBytes: 1024
    uploadTtlSeconds: 120
    allowedMimeTypes: [text/plain]
  default:
    visibility: PRIVATE
    keyTemplate: "{namespace}/{ownerId}/{assetId}"
    maxSizeBytes: 1024
    allowedMimeTypes: [image/png]
`;
// Two seconds, not one: the lifetime counts from the creation second (whole seconds, as SigV4 signs
// them), so with one second a slow create could already be past it when it answers, without a URL.
const UPLOAD_TTL_SECONDS = 2;
/** Past a one-second download lifetime whatever the sub-second signing time, with margin for clock rounding. */
const PAST_EXPIRY_MS = 2500;

async function refusedAsExpired(res: Response): Promise<void> {
  const body = await res.text();
  assert.equal(res.status, 403, body);
  // An expired signature is AccessDenied; a wrongly built URL would be SignatureDoesNotMatch.
  assert.match(body, /<Code>AccessDenied<\/Code>/);
}

describe('presigned URL lifetimes enforced by storage', { concurrency: true }, () => {
  let svc: TestService;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'assets-expiry-'));
    await writeFile(join(dir, 'namespaces.yaml'), NAMESPACES);
    svc = await startTestService({
      ASSET_CONFIG_PATH: join(dir, 'namespaces.yaml'),
      STORAGE_UPLOAD_TTL_SECONDS: String(UPLOAD_TTL_SECONDS),
      STORAGE_DOWNLOAD_TTL_SECONDS: '1',
    });
  });
  after(async () => {
    await svc.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('an upload URL past its lifetime is refused by storage, and the API stops showing it', async () => {
    const token = await svc.token('expiring-uploader');
    const asset = await createUpload(svc, token, uploadInput({ namespace: 'brief' }));
    assert.equal(signedLifetimeSeconds(asset.uploadUrl), UPLOAD_TTL_SECONDS);
    assert.equal(Date.parse(asset.uploadExpiresAt) - Date.parse(asset.createdAt), UPLOAD_TTL_SECONDS * 1000);
    await sleep(Date.parse(asset.uploadExpiresAt) + 1500 - Date.now());
    await refusedAsExpired(await uploadTo(asset, 'hello world'));
    const { data } = await svc.gql(GET, { id: asset.id }, token);
    assert.equal(data!.asset.status, 'PENDING');
    assert.equal(data!.asset.uploadUrl, null);
    assert.equal(data!.asset.uploadHeaders, null);
  });

  test("a namespace's uploadTtlSeconds overrides the service-wide upload lifetime", async () => {
    const asset = await createUpload(svc, await svc.token('roomy-uploader'), uploadInput({ namespace: 'roomy' }));
    assert.equal(signedLifetimeSeconds(asset.uploadUrl), 120);
    assert.equal(Date.parse(asset.uploadExpiresAt) - Date.parse(asset.createdAt), 120_000);
  });

  test('a download URL is capped at STORAGE_DOWNLOAD_TTL_SECONDS and refused by storage once that has passed', async () => {
    const token = await svc.token('expiring-reader');
    const asset = await readyAsset(svc, token, uploadInput({ namespace: 'roomy' }), 'hello world');
    const { data } = await svc.gql(GET_DOWNLOAD, { id: asset.id, ttl: 3600 }, token);
    const url = data!.asset.downloadUrl as string;
    assert.equal(signedLifetimeSeconds(url), 1);
    await sleep(PAST_EXPIRY_MS);
    await refusedAsExpired(await fetch(url));
  });
});
