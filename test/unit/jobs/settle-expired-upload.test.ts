import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Asset } from '../../../src/domain/asset.js';
import { principal, serviceWithFakes } from '../fakes.js';

const alice = principal('alice');
const JOB = 'expire-stale-uploads';

type Fakes = ReturnType<typeof serviceWithFakes>;

async function staleUpload(f: Fakes): Promise<Asset> {
  const asset = await f.service.createUpload(alice, { namespace: 'default', filename: 'photo.png', mimeType: 'image/png', sizeBytes: 1000 });
  f.clock.advanceSeconds(901);
  return asset;
}

function putObject(f: Fakes, asset: Asset, contentType = asset.mimeType): void {
  f.storage.putUpload(asset, { sizeBytes: asset.sizeBytes, contentType });
}

describe('AssetService.settleExpiredUpload', () => {
  test('rescues an upload whose object passes the checks: READY, one asset.rescued event naming the job', async () => {
    const f = serviceWithFakes();
    const asset = await staleUpload(f);
    putObject(f, asset);
    assert.equal(await f.service.settleExpiredUpload(asset, JOB), 'asset.rescued');
    assert.equal((await f.repository.findById(asset.id))?.status, 'READY');
    assert.equal(f.inspector.inspected, 1, 'the content was inspected as confirm would');
    assert.deepEqual(f.events.slice(1).map((e) => [e.type, e.asset.id, e.actor]), [['asset.rescued', asset.id, JOB]]);
  });

  test('fails an upload with no object as UPLOAD_EXPIRED', async () => {
    const f = serviceWithFakes();
    const asset = await staleUpload(f);
    assert.equal(await f.service.settleExpiredUpload(asset, JOB), 'asset.expired');
    const stored = await f.repository.findById(asset.id);
    assert.deepEqual([stored?.status, stored?.failureReason], ['FAILED', 'UPLOAD_EXPIRED']);
    assert.deepEqual(f.events.slice(1).map((e) => [e.type, e.reason]), [['asset.expired', 'UPLOAD_EXPIRED']]);
  });

  test('fails an upload whose object fails a check with that reason, and deletes the object', async () => {
    const f = serviceWithFakes();
    const asset = await staleUpload(f);
    putObject(f, asset, 'text/html');
    assert.equal(await f.service.settleExpiredUpload(asset, JOB), 'asset.expired');
    assert.equal((await f.repository.findById(asset.id))?.failureReason, 'CONTENT_TYPE_MISMATCH');
    assert.equal(f.storage.objects.size, 0);
  });

  test('returns null and emits nothing when the owner confirmed in the meantime', async () => {
    const f = serviceWithFakes();
    const asset = await staleUpload(f);
    putObject(f, asset);
    await f.service.confirmUpload(alice, asset.id);
    assert.equal(await f.service.settleExpiredUpload(asset, JOB), null);
    assert.deepEqual(f.events.map((e) => e.type), ['asset.created', 'asset.confirmed']);
  });

  test('returns null and keeps the asset DELETED when the owner deleted it in the meantime', async () => {
    const f = serviceWithFakes();
    const asset = await staleUpload(f);
    putObject(f, asset, 'text/html');
    await f.service.delete(alice, asset.id);
    assert.equal(await f.service.settleExpiredUpload(asset, JOB), null);
    assert.equal((await f.repository.findById(asset.id))?.status, 'DELETED');
  });
});
