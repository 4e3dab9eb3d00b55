// How AssetService.createUpload uses the UploadLimiter port: only new uploads count.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AssetError } from '../../../src/domain/errors.js';
import type { UploadRequest } from '../../../src/domain/upload-request.js';
import { principal, serviceWithFakes, TEST_SETTINGS } from '../fakes.js';

const alice = principal('alice');
const request = (overrides: Partial<UploadRequest> = {}): UploadRequest => ({ namespace: 'default', filename: 'a.png', mimeType: 'image/png', sizeBytes: 1000, ...overrides });
const tooMany = () => new AssetError('RATE_LIMIT_EXCEEDED', 'slow down', { limit: 'burstPerMinute', retryAfterSeconds: 7 });

describe('AssetService.createUpload and the per-owner limits', () => {
  test('a new upload is admitted once, for its owner and declared size', async () => {
    const { service, limiter } = serviceWithFakes();
    await service.createUpload(alice, request({ sizeBytes: 1234 }));
    assert.deepEqual(limiter.calls, ['admit alice 1234']);
  });

  test('an idempotent repeat gives its admission back: it counts nothing', async () => {
    const { service, limiter } = serviceWithFakes();
    await service.createUpload(alice, request({ idempotencyKey: 'k1' }));
    await service.createUpload(alice, request({ idempotencyKey: 'k1' }));
    assert.deepEqual(limiter.calls, ['admit alice 1000', 'admit alice 1000', 'cancel alice 1000']);
  });

  test('a refused upload stores nothing, and the refusal reaches the caller unchanged', async () => {
    const { service, limiter, repository } = serviceWithFakes();
    limiter.refusal = tooMany();
    await assert.rejects(service.createUpload(alice, request()), limiter.refusal);
    assert.equal(repository.rows.size, 0);
  });

  test('a repeat of a live upload is answered with its asset even when the owner is over a limit', async () => {
    const { service, limiter } = serviceWithFakes();
    const first = await service.createUpload(alice, request({ idempotencyKey: 'k2' }));
    limiter.refusal = tooMany();
    assert.equal((await service.createUpload(alice, request({ idempotencyKey: 'k2' }))).id, first.id);
    await assert.rejects(service.createUpload(alice, request({ idempotencyKey: 'k3' })), limiter.refusal);
  });

  test('a repeat over a limit whose upload URL died with nothing uploaded fails the old asset and gets the refusal, not a dead upload', async () => {
    const { service, limiter, repository, clock } = serviceWithFakes();
    const abandoned = await service.createUpload(alice, request({ idempotencyKey: 'dead' }));
    clock.advanceSeconds(TEST_SETTINGS.uploadTtlSeconds + TEST_SETTINGS.uploadGraceSeconds);
    limiter.refusal = tooMany();
    await assert.rejects(service.createUpload(alice, request({ idempotencyKey: 'dead' })), limiter.refusal);
    const old = await repository.findById(abandoned.id);
    assert.deepEqual({ status: old?.status, failureReason: old?.failureReason }, { status: 'FAILED', failureReason: 'UPLOAD_EXPIRED' });
  });

  test('a repeat over a limit whose bytes arrived after the upload URL died gets its asset READY', async () => {
    const f = serviceWithFakes();
    const pending = await f.service.createUpload(alice, request({ idempotencyKey: 'late' }));
    f.storage.putUpload(pending, { sizeBytes: pending.sizeBytes, contentType: pending.mimeType });
    f.clock.advanceSeconds(TEST_SETTINGS.uploadTtlSeconds + TEST_SETTINGS.uploadGraceSeconds);
    f.limiter.refusal = tooMany();
    const repeat = await f.service.createUpload(alice, request({ idempotencyKey: 'late' }));
    assert.deepEqual({ id: repeat.id, status: repeat.status }, { id: pending.id, status: 'READY' });
  });

  test('a refused repeat that describes another upload is still a CONFLICT, not a free pass', async () => {
    const { service, limiter } = serviceWithFakes();
    await service.createUpload(alice, request({ idempotencyKey: 'k4' }));
    limiter.refusal = tooMany();
    await assert.rejects(service.createUpload(alice, request({ idempotencyKey: 'k4', sizeBytes: 5 })), (e: unknown) => e instanceof AssetError && e.code === 'CONFLICT');
  });

  test('an upload the storage quota refuses at insert is QUOTA_EXCEEDED, stores nothing and gives its rate admission back', async () => {
    const { service, limiter, repository } = serviceWithFakes();
    repository.quotaBytes = 1500;
    await service.createUpload(alice, request({ sizeBytes: 1000 }));
    await assert.rejects(service.createUpload(alice, request({ sizeBytes: 600 })), (e: unknown) => e instanceof AssetError && e.code === 'QUOTA_EXCEEDED');
    assert.equal(repository.rows.size, 1);
    assert.deepEqual(limiter.calls, ['admit alice 1000', 'admit alice 600', 'quotaRefusal 600', 'cancel alice 600']);
    await service.createUpload(alice, request({ sizeBytes: 500 }));
    assert.equal(repository.rows.size, 2, 'what still fits is stored');
  });

  test('a repeat of an upload that filled the quota is answered with its asset', async () => {
    const { service, repository } = serviceWithFakes();
    repository.quotaBytes = 1000;
    const first = await service.createUpload(alice, request({ idempotencyKey: 'full' }));
    assert.equal((await service.createUpload(alice, request({ idempotencyKey: 'full' }))).id, first.id);
    await assert.rejects(service.createUpload(alice, request({ idempotencyKey: 'other' })), (e: unknown) => e instanceof AssetError && e.code === 'QUOTA_EXCEEDED');
  });

  test('an insert that fails gives the admission back', async () => {
    const { service, limiter, repository } = serviceWithFakes();
    repository.insertOrFindByIdempotencyKey = async () => {
      throw new Error('database gone');
    };
    await assert.rejects(service.createUpload(alice, request()), /database gone/);
    assert.deepEqual(limiter.calls, ['admit alice 1000', 'cancel alice 1000']);
  });
});
