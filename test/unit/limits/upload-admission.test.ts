// How AssetService.createUpload uses the UploadLimiter port: only new uploads count.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AssetError } from '../../../src/domain/errors.js';
import type { UploadRequest } from '../../../src/domain/upload-request.js';
import { principal, serviceWithFakes } from '../fakes.js';

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

  test('a refused repeat that describes another upload is still a CONFLICT, not a free pass', async () => {
    const { service, limiter } = serviceWithFakes();
    await service.createUpload(alice, request({ idempotencyKey: 'k4' }));
    limiter.refusal = tooMany();
    await assert.rejects(service.createUpload(alice, request({ idempotencyKey: 'k4', sizeBytes: 5 })), (e: unknown) => e instanceof AssetError && e.code === 'CONFLICT');
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
