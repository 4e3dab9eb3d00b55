import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONFIRM, CREATE, GET, uploadInput, uploadTo } from '../support/operations.js';
import { startServiceBehindProxies } from '../support/proxied-service.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { startServiceFor, type TestService } from '../support/test-service.js';
import { errorOf, uploadedAsset } from '../support/flows.js';
import { deleteBuckets } from '../support/infra.js';

/** Storage and PostgreSQL reached through proxies that the tests cut and restore, like an outage and its end. */
describe('dependency outages', () => {
  let svc: TestService;
  let storage: TcpProxy;
  let database: TcpProxy;
  let token: string;
  let stop: (() => Promise<void>) | undefined;

  before(async () => {
    ({ svc, proxies: { storage, database }, stop } = await startServiceBehindProxies(['storage', 'database'], { STORAGE_TIMEOUT_MS: '1000', STORAGE_CIRCUIT_RESET_MS: '1000' }));
    token = await svc.token('outage-owner');
  });
  after(() => stop?.());

  async function health(): Promise<{ status: number; body: any }> {
    const res = await fetch(`${svc.url}/health`);
    return { status: res.status, body: await res.json() };
  }

  test('with storage unreachable, confirm fails fast with STORAGE_UNAVAILABLE, the asset stays PENDING, and all recovers', async () => {
    const asset = (await svc.gql(CREATE, { input: uploadInput() }, token)).data!.createAssetUpload;
    assert.equal((await uploadTo(asset, 'hello world')).status, 200);
    await storage.cut();

    const started = Date.now();
    const failed = await svc.gql(CONFIRM, { id: asset.id }, token);
    assert.equal(failed.errors?.[0]?.extensions.code, 'STORAGE_UNAVAILABLE');
    assert.ok(Number(failed.errors?.[0]?.extensions.retryAfterSeconds) > 0);
    assert.ok(Date.now() - started < 5000, 'confirm must not hang on a dead storage');
    assert.equal((await svc.gql(GET, { id: asset.id }, token)).data!.asset.status, 'PENDING');
    await sleep(5500); // let the cached healthy storage check expire
    const down = await health();
    assert.equal(down.status, 503);
    assert.equal(down.body.checks.storage.status, 'down');

    await storage.restore();
    await sleep(1500); // the circuit breaker lets a trial call through after its reset time
    const confirmed = await svc.gql(CONFIRM, { id: asset.id }, token);
    assert.equal(confirmed.data?.confirmAssetUpload.status, 'READY', JSON.stringify(confirmed.errors));
    assert.equal((await health()).status, 200);
  });

  test('with PostgreSQL unreachable, requests fail with DATABASE_UNAVAILABLE, readiness is 503, and it recovers by itself', async () => {
    await database.cut();
    const failed = await svc.gql(CREATE, { input: uploadInput() }, token);
    assert.equal(failed.errors?.[0]?.extensions.code, 'DATABASE_UNAVAILABLE');
    const down = await health();
    assert.equal(down.status, 503);
    assert.equal(down.body.checks.database.status, 'down');

    await database.restore();
    const created = await svc.gql(CREATE, { input: uploadInput() }, token);
    assert.equal(created.data?.createAssetUpload.status, 'PENDING', JSON.stringify(created.errors));
    assert.equal((await health()).status, 200);
  });
});

// A service of its own: its private bucket is deleted.
test('with the private bucket deleted under a running service, confirm answers STORAGE_UNAVAILABLE naming NoSuchBucket and the asset stays PENDING: the store\'s fault does not fail the upload', async (t) => {
  const { svc, token } = await startServiceFor('bucketless-owner');
  t.after(() => svc.stop());
  const asset = await uploadedAsset(svc, token, uploadInput(), 'hello world');
  await deleteBuckets(svc.s3, svc.privateBucket);
  const failed = await svc.gql(CONFIRM, { id: asset.id }, token);
  assert.match(errorOf(failed, 'STORAGE_UNAVAILABLE').message, /NoSuchBucket/);
  assert.equal((await svc.gql(GET, { id: asset.id }, token)).data!.asset.status, 'PENDING');
});
