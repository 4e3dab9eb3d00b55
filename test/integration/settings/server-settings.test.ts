// Server settings whose effect no other suite notices: HOST and DATABASE_POOL_MAX on a service started in
// this process, LOG_LEVEL and SHUTDOWN_TIMEOUT_MS on `neotool-assets serve` run as operators run it
// (the shutdown deadline lives in the serve command). Every other suite binds 127.0.0.1, keeps the default
// pool, and logs at info, the default, so a setting read but not applied passes there.
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { after, before, describe, test } from 'node:test';
import { startCli } from '../../support/cli-process.js';
import { eventually } from '../../support/eventually.js';
import { closedPort } from '../../support/infra.js';
import { CREATE, uploadInput } from '../../support/operations.js';
import { ownInfra, postGraphQL, serviceEnv, startTestService, type TestService } from '../../support/test-service.js';

describe('HOST and DATABASE_POOL_MAX on the running service', () => {
  const POOL_MAX = 2;
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ HOST: '127.0.0.2', DATABASE_POOL_MAX: String(POOL_MAX) });
  });
  after(() => svc?.stop());

  test('the service listens on the HOST address only: another loopback address on the same port is refused', async () => {
    const url = new URL(svc.url);
    assert.equal(url.hostname, '127.0.0.2');
    assert.equal((await fetch(`${svc.url}/health/live`)).status, 200);
    await assert.rejects(fetch(`http://127.0.0.1:${url.port}/health/live`), (error: Error & { cause?: { code?: string } }) => error.cause?.code === 'ECONNREFUSED');
  });

  test('under 40 concurrent uploads the service holds at most DATABASE_POOL_MAX connections to PostgreSQL, and answers them all', async () => {
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => svc.token(`pool-owner-${i}`)));
    const answers = await Promise.all(tokens.map((token) => svc.gql(CREATE, { input: uploadInput() }, token)));
    for (const answer of answers) assert.equal(answer.data?.createAssetUpload?.status, 'PENDING', JSON.stringify(answer.errors));
    // Idle connections stay in the pool (30 s): what the burst opened is still there to count.
    const { rows } = await svc.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'neotool-assets'`,
    );
    assert.ok(rows[0]!.n >= 1 && rows[0]!.n <= POOL_MAX, `the service holds ${rows[0]!.n} connections`);
  });
});

describe('LOG_LEVEL and SHUTDOWN_TIMEOUT_MS of the real service process', () => {
  let infra: Awaited<ReturnType<typeof ownInfra>>;
  let env: Record<string, string>;
  before(async () => {
    infra = await ownInfra();
    env = serviceEnv(infra.databaseUrl, infra.issuer.jwksUrl, infra.publicBucket, infra.privateBucket);
  });
  after(() => infra?.release());

  test('LOG_LEVEL=warn: the process logs its warnings and none of its info lines (startup, requests, job runs)', async () => {
    // An object no asset accounts for: the orphan sweep reports it at warn level.
    await infra.s3.send(new PutObjectCommand({ Bucket: infra.privateBucket, Key: 'attachments/nobody/stray.txt', Body: 'stray' }));
    const port = await closedPort();
    const service = startCli(['serve'], { ...env, PORT: String(port), LOG_LEVEL: 'warn', JOB_ORPHAN_INTERVAL_SECONDS: '1', ORPHAN_GRACE_SECONDS: '0' });
    try {
      const url = `http://127.0.0.1:${port}`;
      await eventually(() => fetch(`${url}/health/live`).then((r) => r.ok, () => false), 'the service to answer', { timeoutMs: 30_000 });
      const created = await postGraphQL(url, CREATE, { input: uploadInput() }, await infra.issuer.token({ sub: 'quiet-owner' }));
      assert.equal(created.data?.createAssetUpload?.status, 'PENDING', JSON.stringify(created.errors));
      await eventually(() => service.stdout().includes('objects without a live asset found'), () => `the orphan warning; stdout: ${service.stdout()}`, { timeoutMs: 15_000 });
    } finally {
      assert.equal(await service.terminate(), 0, service.stderr());
    }
    const lines = service.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg: string });
    assert.ok(lines.some((l) => l.level === 40), 'the warning is logged');
    assert.deepEqual(lines.filter((l) => l.level < 40).map((l) => l.msg), [], 'lines below warn were logged');
  });

  test('SHUTDOWN_TIMEOUT_MS: a SIGTERM with a request still in flight past the deadline exits 1 at the deadline, not when the request ends', async () => {
    const DEADLINE_MS = 500;
    const service = startCli(['serve'], { ...env, LOG_LEVEL: 'info', JOBS_ENABLED: 'false', SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS) });
    const url = await service.listening();
    // The first token check fetches the issuer's keys: a slow issuer keeps this request in flight for 6 s.
    infra.issuer.jwksDelayMs = 6000;
    const fetchesBefore = infra.issuer.jwksRequests;
    try {
      const inFlight = postGraphQL(url, CREATE, { input: uploadInput() }, await infra.issuer.token({ sub: 'late-owner' })).catch(() => undefined);
      await eventually(() => infra.issuer.jwksRequests > fetchesBefore, 'the service to ask for the keys');
      const signalled = Date.now();
      const code = await service.terminate();
      const took = Date.now() - signalled;
      assert.equal(code, 1, service.stdout() + service.stderr());
      assert.ok(took >= DEADLINE_MS - 50 && took < 4000, `exited ${took} ms after SIGTERM`);
      assert.match(service.stdout(), /shutdown deadline passed/);
      await inFlight;
    } finally {
      infra.issuer.jwksDelayMs = 0;
      if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    }
  });
});
