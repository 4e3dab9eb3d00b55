import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONFIRM, CREATE, GET, uploadInput, uploadTo } from '../support/operations.js';
import { stopPostgres, stopRadosGateway } from '../support/restart-infra.js';
import { startTestService, type TestService } from '../support/test-service.js';

/** The real daemons stopped and started again under a running service: errors are clear, state stays right, it recovers. */
describe('dependency restarts under a running service', () => {
  let svc: TestService;
  let token: string;
  before(async () => {
    svc = await startTestService({ STORAGE_TIMEOUT_MS: '1000', STORAGE_CIRCUIT_RESET_MS: '1000' });
    token = await svc.token('restart-owner');
  });
  after(() => svc.stop());

  test('PostgreSQL restarted: calls fail with DATABASE_UNAVAILABLE while it is down, then work again', async () => {
    const start = stopPostgres();
    try {
      const failed = await svc.gql(CREATE, { input: uploadInput() }, token);
      assert.equal(failed.errors?.[0]?.extensions.code, 'DATABASE_UNAVAILABLE', JSON.stringify(failed));
      assert.equal((await fetch(`${svc.url}/health/ready`)).status, 503);
    } finally {
      start();
    }
    const created = await svc.gql(CREATE, { input: uploadInput() }, token);
    assert.equal(created.data?.createAssetUpload.status, 'PENDING', JSON.stringify(created.errors));
    assert.equal((await fetch(`${svc.url}/health/ready`)).status, 200);
  });

  test('RADOS Gateway stopped mid-upload: confirm says STORAGE_UNAVAILABLE and leaves the asset PENDING; after the restart it becomes READY', async () => {
    const asset = (await svc.gql(CREATE, { input: uploadInput() }, token)).data!.createAssetUpload;
    assert.equal((await uploadTo(asset, 'hello world')).status, 200);
    const start = await stopRadosGateway();
    try {
      const failed = await svc.gql(CONFIRM, { id: asset.id }, token);
      assert.equal(failed.errors?.[0]?.extensions.code, 'STORAGE_UNAVAILABLE', JSON.stringify(failed));
      assert.equal((await svc.gql(GET, { id: asset.id }, token)).data!.asset.status, 'PENDING');
    } finally {
      await start();
    }
    await sleep(1500); // the circuit breaker lets a trial call through after its reset time
    const confirmed = await svc.gql(CONFIRM, { id: asset.id }, token);
    assert.equal(confirmed.data?.confirmAssetUpload.status, 'READY', JSON.stringify(confirmed.errors));
  });
});
