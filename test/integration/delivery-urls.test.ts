// How a READY asset is delivered: PUBLIC ones at a plain public URL, PRIVATE ones only through a
// presigned GET whose lifetime the caller chooses within the server's cap.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fixture } from '../support/fixtures.js';
import { createUpload, errorOf, readyAsset, signedLifetimeSeconds, type AssetJson } from '../support/flows.js';
import { GET_DELIVERY, GET_DOWNLOAD, uploadInput } from '../support/operations.js';
import { startTestService, type TestService } from '../support/test-service.js';

const PNG_BYTES = fixture('image.png');
const DEFAULT_CAP_SECONDS = 3600; // STORAGE_DOWNLOAD_TTL_SECONDS default

describe('delivery URLs', () => {
  let svc: TestService;
  let token: string;
  let privateAsset: AssetJson;
  let publicAsset: AssetJson;
  before(async () => {
    svc = await startTestService();
    token = await svc.token('deliverer');
    privateAsset = await readyAsset(svc, token, uploadInput(), 'hello world');
    publicAsset = await readyAsset(svc, token, uploadInput({ namespace: 'group-assets', mimeType: 'image/png', filename: 'logo.png', sizeBytes: PNG_BYTES.length }), PNG_BYTES);
  });
  after(() => svc.stop());

  const downloadUrl = async (ttl: number | undefined): Promise<string> => {
    const response = await svc.gql(GET_DOWNLOAD, { id: privateAsset.id, ttl }, token);
    assert.equal(response.errors, undefined, JSON.stringify(response.errors));
    return response.data!.asset.downloadUrl;
  };

  for (const ttl of [0, -1, -3600]) {
    test(`downloadUrl(ttlSeconds: ${ttl}) is a VALIDATION_ERROR on ttlSeconds`, async () => {
      const error = errorOf(await svc.gql(GET_DOWNLOAD, { id: privateAsset.id, ttl }, token), 'VALIDATION_ERROR');
      assert.equal(error.extensions.field, 'ttlSeconds');
    });
  }

  test('a ttlSeconds beyond a 32-bit Int is a VALIDATION_ERROR, not an internal error', async () => {
    errorOf(await svc.gql(GET_DOWNLOAD, { id: privateAsset.id, ttl: 2 ** 31 }, token), 'VALIDATION_ERROR');
  });

  test('a huge ttlSeconds is capped at STORAGE_DOWNLOAD_TTL_SECONDS, and the capped URL serves the bytes', async () => {
    const url = await downloadUrl(10 * 365 * 86400);
    assert.equal(signedLifetimeSeconds(url), DEFAULT_CAP_SECONDS);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello world');
  });

  test('a ttlSeconds within the cap is signed as asked, and the default is one hour', async () => {
    assert.equal(signedLifetimeSeconds(await downloadUrl(60)), 60);
    assert.equal(signedLifetimeSeconds(await downloadUrl(undefined)), 3600);
  });

  test('a READY PRIVATE asset has a downloadUrl but no publicUrl', async () => {
    const { data } = await svc.gql(GET_DELIVERY, { id: privateAsset.id }, token);
    assert.equal(data!.asset.publicUrl, null);
    assert.match(data!.asset.downloadUrl, /X-Amz-Signature=/);
  });

  test('a READY PUBLIC asset has a publicUrl but no downloadUrl', async () => {
    const { data } = await svc.gql(GET_DELIVERY, { id: publicAsset.id }, token);
    assert.equal(data!.asset.downloadUrl, null);
    assert.ok(data!.asset.publicUrl.endsWith(`/${publicAsset.storageKey}`), data!.asset.publicUrl);
    assert.doesNotMatch(data!.asset.publicUrl, /X-Amz-/);
  });

  test('a PENDING asset has neither URL, whatever its visibility', async () => {
    for (const namespace of ['attachments', 'group-assets']) {
      const pending = await createUpload(svc, token, uploadInput({ namespace, mimeType: 'image/png', filename: 'a.png' }));
      const { data } = await svc.gql(GET_DELIVERY, { id: pending.id }, token);
      assert.deepEqual([data!.asset.status, data!.asset.publicUrl, data!.asset.downloadUrl], ['PENDING', null, null]);
    }
  });
});
