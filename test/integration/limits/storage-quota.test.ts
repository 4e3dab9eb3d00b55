// The storage quota: the bytes an owner holds in READY and PENDING assets, kept per owner by triggers
// and decided by the insert, so that a delete or a failed upload frees its bytes at once, on every replica.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUpload, errorOf } from '../../support/flows.js';
import { CONFIRM, CREATE, DELETE, uploadInput } from '../../support/operations.js';
import { startReplicaPair, type TestService } from '../../support/test-service.js';

const QUOTA = 1000;

describe('storage quota per owner, on two replicas sharing one database', () => {
  let svc: TestService;
  let replica: TestService;
  const env = { RATE_LIMIT_BURST_PER_MINUTE: '0', RATE_LIMIT_UPLOADS_PER_HOUR: '0', RATE_LIMIT_BYTES_PER_HOUR: '0', STORAGE_QUOTA_BYTES_PER_OWNER: String(QUOTA) };
  let stop = async (): Promise<void> => undefined;
  before(async () => ({ svc, replica, stop } = await startReplicaPair(env)));
  after(() => stop());

  const create = (on: TestService, token: string, sizeBytes: number) => on.gql(CREATE, { input: uploadInput({ sizeBytes }) }, token);

  test('declaring files until the quota is full gives QUOTA_EXCEEDED, naming the quota; what still fits is admitted', async () => {
    const token = await svc.token('hoarder');
    await createUpload(svc, token, uploadInput({ sizeBytes: 400 }));
    await createUpload(replica, token, uploadInput({ sizeBytes: 400 }));
    const error = errorOf(await create(svc, token, 300), 'QUOTA_EXCEEDED');
    assert.equal(error.extensions.limit, 'quotaBytes');
    assert.equal(error.extensions.limitValue, QUOTA);
    assert.equal(error.extensions.retryAfterSeconds, 0);
    assert.match(error.message, /at most 1000 bytes in READY and PENDING assets.*Delete assets you no longer need/);
    await createUpload(replica, token, uploadInput({ sizeBytes: 200 }));
    errorOf(await create(replica, token, 1), 'QUOTA_EXCEEDED');
  });

  test('a deleted asset frees its quota at once, on the other replica too', async () => {
    const token = await svc.token('tidy');
    const big = await createUpload(svc, token, uploadInput({ sizeBytes: 600 }));
    errorOf(await create(replica, token, 500), 'QUOTA_EXCEEDED');
    const deleted = await svc.gql(DELETE, { id: big.id }, token);
    assert.equal(deleted.errors, undefined, JSON.stringify(deleted.errors));
    await createUpload(replica, token, uploadInput({ sizeBytes: 500 }));
  });

  test('an upload that failed its confirm no longer counts', async () => {
    const token = await svc.token('unlucky');
    const never = await createUpload(svc, token, uploadInput({ sizeBytes: 900 }));
    errorOf(await create(svc, token, 900), 'QUOTA_EXCEEDED');
    errorOf(await svc.gql(CONFIRM, { id: never.id }, token), 'STATE_ERROR');
    await createUpload(replica, token, uploadInput({ sizeBytes: 900 }));
  });

  test('assets of other owners do not count', async () => {
    const full = await svc.token('full');
    await createUpload(svc, full, uploadInput({ sizeBytes: QUOTA }));
    errorOf(await create(svc, full, 1), 'QUOTA_EXCEEDED');
    await createUpload(svc, await svc.token('empty'), uploadInput({ sizeBytes: QUOTA }));
  });

  test('assets held before the quota was configured count too', async () => {
    await svc.db.query(
      `INSERT INTO assets (id, owner_id, namespace, visibility, storage_key, storage_region, storage_bucket, mime_type, size_bytes, original_filename, upload_expires_at, status)
       VALUES (gen_random_uuid(), 'veteran', 'attachments', 'PRIVATE', 'attachments/veteran/old', 'us-east-1', $1, 'text/plain', 700, 'old.txt', now(), 'READY')`,
      [svc.privateBucket],
    );
    errorOf(await create(svc, await svc.token('veteran'), 400), 'QUOTA_EXCEEDED');
  });

  test('an idempotent repeat of an upload that filled the quota still returns the same asset', async () => {
    const token = await svc.token('repeater');
    const input = uploadInput({ sizeBytes: QUOTA, idempotencyKey: 'fill-it' });
    const first = await createUpload(svc, token, input);
    assert.equal((await createUpload(replica, token, input)).id, first.id);
  });
});
