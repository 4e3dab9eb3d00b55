import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONFIRM, CREATE, GET, uploadInput, uploadTo } from '../support/operations.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestService, type TestService } from '../support/test-service.js';

/** Storage and PostgreSQL reached through proxies that the tests cut and restore, like an outage and its end. */
describe('dependency outages', () => {
  let svc: TestService;
  let storage: TcpProxy;
  let database: TcpProxy;
  let token: string;

  before(async () => {
    const s3 = new URL(process.env.TEST_S3_ENDPOINT!);
    const pg = new URL(process.env.TEST_DATABASE_URL!);
    storage = await new TcpProxy(s3.hostname, Number(s3.port)).start();
    database = await new TcpProxy(pg.hostname, Number(pg.port)).start();
    svc = await startTestService(
      { STORAGE_TIMEOUT_MS: '1000', STORAGE_CIRCUIT_RESET_MS: '1000' },
      {
        adjustEnv: (env) => {
          const db = new URL(env.DATABASE_URL!);
          db.port = String(database.port);
          return { ...env, STORAGE_PORT: String(storage.port), DATABASE_URL: db.toString() };
        },
      },
    );
    token = await svc.token('outage-owner');
  });
  after(async () => {
    await storage.restore();
    await database.restore();
    await svc.stop();
    await storage.cut();
    await database.cut();
  });

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
