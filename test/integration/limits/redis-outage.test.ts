// Redis, where the rate limits are counted when REDIS_URL is set, lost under a running service (a TCP
// proxy cut, as in outages.test.ts) and unreachable at startup: clear errors that name Redis, nothing
// counted for refused uploads, recovery without a restart, and the connection closed on shutdown.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { describeStartupError } from '../../../src/cli/startup-errors.js';
import { CONNECTION_NAME } from '../../../src/limits/redis-connection.js';
import { capturedLogger } from '../../support/captured-logs.js';
import { eventually } from '../../support/eventually.js';
import { countAssets, createUpload, errorOf } from '../../support/flows.js';
import { closedPort, uniqueName } from '../../support/infra.js';
import { LIMIT_BACKENDS } from '../../support/limit-backends.js';
import { CREATE, uploadInput } from '../../support/operations.js';
import { startServiceBehindProxies } from '../../support/proxied-service.js';
import type { TcpProxy } from '../../support/tcp-proxy.js';
import { ownInfra, startTestService, type TestService } from '../../support/test-service.js';

const redis = LIMIT_BACKENDS.find((b) => b.name === 'Redis')!;
const BURST = 3;
const LIMITS = { RATE_LIMIT_BURST_PER_MINUTE: String(BURST), RATE_LIMIT_UPLOADS_PER_HOUR: '100', RATE_LIMIT_BYTES_PER_HOUR: '0', STORAGE_QUOTA_BYTES_PER_OWNER: '0' };

// Every service of this file on one issuer, database and bucket pair: each test has owners of its own.
let infra: Awaited<ReturnType<typeof ownInfra>>;
before(async () => {
  infra = await ownInfra();
});
after(() => infra?.release());

async function health(svc: TestService): Promise<{ status: number; body: any }> {
  const res = await fetch(`${svc.url}/health/ready`);
  return { status: res.status, body: await res.json() };
}

/**
 * For the suite it is called in: a service whose Redis connection runs through a proxy the tests cut or
 * stall, started before its tests and stopped after them (Redis answering again, so the service closes
 * its connection as it would).
 */
function serviceBehindRedisProxy(env: Record<string, string> = {}): { proxy: TcpProxy; svc: TestService; logs: ReturnType<typeof capturedLogger> } {
  const suite = { logs: capturedLogger('info') } as { proxy: TcpProxy; svc: TestService; logs: ReturnType<typeof capturedLogger> };
  let stop: (() => Promise<void>) | undefined;
  before(async () => {
    ({ svc: suite.svc, proxies: { redis: suite.proxy }, stop } = await startServiceBehindProxies(['redis'], { ...LIMITS, ...env }, { shareWith: infra, logger: suite.logs.logger }));
  });
  after(() => stop?.());
  return suite;
}

describe('Redis outages', () => {
  const suite = serviceBehindRedisProxy();

  test('with Redis unreachable, uploads fail fast with REDIS_UNAVAILABLE, count nowhere, readiness reports Redis down but stays 200 (reads still work), and all recovers by itself', async () => {
    const { svc, proxy } = suite;
    const owner = uniqueName('outage');
    const token = await svc.token(owner);
    await createUpload(svc, token, uploadInput());
    assert.equal((await health(svc)).body.checks.redis.status, 'up');
    await proxy.cut();

    const started = Date.now();
    for (let i = 0; i < 2 * BURST; i++) {
      const error = errorOf(await svc.gql(CREATE, { input: uploadInput() }, token), 'REDIS_UNAVAILABLE');
      assert.ok(Number(error.extensions.retryAfterSeconds) > 0);
      assert.match(error.message, /Redis.*retry in a few seconds.*REDIS_URL/);
    }
    assert.ok(Date.now() - started < 3000, 'uploads must not hang on a dead Redis');
    assert.equal(await countAssets(svc.db, owner), 1, 'nothing stored for refused uploads');
    const down = await health(svc);
    assert.equal(down.status, 200, 'the pod stays in the Service: only new uploads need Redis');
    assert.equal(down.body.status, 'degraded');
    assert.equal(down.body.checks.redis.status, 'down');
    assert.equal(down.body.checks.database.status, 'up');

    const redisLines = () => suite.logs.lines().filter((line) => /connection to Redis|Reconnected to Redis/.test(String(line.msg))).map((line) => [line.level, line.msg]);
    assert.deepEqual(redisLines(), [[40, 'Lost the connection to Redis; uploads fail with REDIS_UNAVAILABLE until it is back (reconnecting)']], 'one warning per outage');

    await proxy.restore();
    const recovered = await eventually(() => health(svc), 'readiness to be ok again', { until: (h) => h.body.status === 'ok' });
    assert.deepEqual(redisLines().at(-1), [30, 'Reconnected to Redis; uploads are counted against the rate limits again']);
    assert.equal(recovered.body.checks.redis.status, 'up', 'Redis reported up again once it is back');
    // The refused attempts counted nowhere: the owner still has the rest of the burst, and no more.
    for (let i = 1; i < BURST; i++) await createUpload(svc, token, uploadInput());
    errorOf(await svc.gql(CREATE, { input: uploadInput() }, token), 'RATE_LIMIT_EXCEEDED');
  });

  test('with Redis hung (connections open, nothing answered), uploads fail with REDIS_UNAVAILABLE after the default 2 s command timeout (REDIS_TIMEOUT_MS unset), not later, store nothing, and work again once it answers', async () => {
    // A timed-out increment reaches Redis late and still counts (a timeout cannot tell whether it did):
    // the owner may lose the points of timed-out calls until the window closes, here one of the burst of 3 (the second upload failed with the first, unsent).
    const waited = await uploadThroughHungRedis(suite, 'hung', 2);
    // Queued, the second would wait for its own 2 s after the first's: at least 4 s in all.
    assert.ok(waited >= 1900 && waited < 3900, `both answered together after the command timeout, not queued behind each other (${waited} ms)`);
  });
});

describe('Redis with a short REDIS_TIMEOUT_MS', () => {
  const TIMEOUT_MS = 300;
  const suite = serviceBehindRedisProxy({ REDIS_TIMEOUT_MS: String(TIMEOUT_MS) });

  test('with Redis hung, an upload fails with REDIS_UNAVAILABLE after the configured timeout instead of the 2 s default', async () => {
    const waited = await uploadThroughHungRedis(suite, 'hung-short', 1);
    // Not a speed check: at least the configured 300 ms, and well short of the 2000 ms default it replaces.
    assert.ok(waited >= TIMEOUT_MS - 10, `failed before the configured timeout (${waited} ms)`);
    assert.ok(waited < 1500, `took as long as the 2 s default, so REDIS_TIMEOUT_MS was not used (${waited} ms)`);
  });
});

/**
 * A new owner uploads once, then `during` uploads at once while Redis hangs (each must fail with
 * REDIS_UNAVAILABLE and store nothing), then once more after Redis answers again (stored). Returns how
 * long the uploads during the hang took to be answered.
 */
async function uploadThroughHungRedis({ svc, proxy }: { svc: TestService; proxy: TcpProxy }, ownerPrefix: string, during: number): Promise<number> {
  const owner = uniqueName(ownerPrefix);
  const token = await svc.token(owner);
  await createUpload(svc, token, uploadInput());
  proxy.stall();
  let waited: number;
  try {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: during }, () => svc.gql(CREATE, { input: uploadInput() }, token)));
    waited = Date.now() - started;
    for (const answer of answers) errorOf(answer, 'REDIS_UNAVAILABLE');
    assert.equal(await countAssets(svc.db, owner), 1, 'nothing stored for refused uploads');
  } finally {
    proxy.resume();
  }
  await createUpload(svc, token, uploadInput());
  assert.equal(await countAssets(svc.db, owner), 2);
  return waited;
}

describe('Redis at startup and shutdown', () => {
  test('unreachable at startup: the start fails with one message naming Redis and REDIS_URL, never the password', async () => {
    const port = await closedPort();
    const error = await startTestService({ ...LIMITS, REDIS_URL: `redis://:hush-hush-secret@127.0.0.1:${port}` }, { shareWith: infra }).then(
      (svc) => svc.stop().then(() => assert.fail('the service started without Redis')),
      (e: unknown) => e,
    );
    const message = describeStartupError(error);
    assert.match(message, new RegExp(`^Cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\)\\. Check REDIS_URL and that Redis is running`));
    assert.doesNotMatch(message, /hush-hush-secret/);
  });

  test('a graceful stop closes the connection to Redis', async () => {
    const admin = new Redis(redis.env.REDIS_URL!);
    const connections = async () => ((await admin.client('LIST')) as string).split('\n').filter((line) => line.includes(` name=${CONNECTION_NAME} `)).length;
    try {
      const before = await connections();
      const svc = await startTestService({ ...LIMITS, ...redis.env }, { shareWith: infra });
      assert.equal(await connections(), before + 1);
      await svc.stop();
      assert.equal(await eventually(connections, 'the connection to close', { until: (n) => n === before, timeoutMs: 2000 }), before);
    } finally {
      admin.disconnect();
    }
  });
});
