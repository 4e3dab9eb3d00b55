// Server settings whose effect no other suite notices: HOST and DATABASE_POOL_MAX on a service started in
// this process, LOG_LEVEL and SHUTDOWN_TIMEOUT_MS on `neotool-assets serve` run as operators run it
// (the shutdown deadline lives in the serve command). Every other suite binds 127.0.0.1, keeps the default
// pool, and logs at info, the default, so a setting read but not applied passes there.
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { after, before, describe, test, type TestContext } from 'node:test';
import { startCli, type CliProcess } from '../../support/cli-process.js';
import { eventually } from '../../support/eventually.js';
import { CREATE, uploadInput } from '../../support/operations.js';
import { LISTEN, tcpSockets } from '../../support/proc-sockets.js';
import { infraEnv, ownInfra, postGraphQL, startTestService, type TestService } from '../../support/test-service.js';

// One database, bucket pair and issuer for both suites of this file, each started after the other stopped.
let infra: Awaited<ReturnType<typeof ownInfra>>;
before(async () => {
  infra = await ownInfra();
});
after(() => infra?.release());

describe('HOST and DATABASE_POOL_MAX on the running service', () => {
  const POOL_MAX = 2;
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ HOST: '127.0.0.2', DATABASE_POOL_MAX: String(POOL_MAX) }, { shareWith: infra });
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

/** `neotool-assets serve` with `env`, SIGKILLed when the test ends if it is still running: a failed or timed-out step leaves no process behind to hold the test file open. */
function serve(t: TestContext, env: Record<string, string>): CliProcess {
  const service = startCli(['serve'], env);
  t.after(() => service.kill());
  return service;
}

/**
 * The TCP port process `pid` listens on, if it listens yet. For a service on PORT=0 that does not log its
 * address (LOG_LEVEL=warn): a port picked beforehand (a free one, closed again) could be taken by another
 * process before the service binds it.
 */
function listeningPort(pid: number): number | undefined {
  return tcpSockets(pid).find((socket) => socket.state === LISTEN)?.localPort;
}

describe('LOG_LEVEL and SHUTDOWN_TIMEOUT_MS of the real service process', () => {
  let env: Record<string, string>;
  before(() => {
    env = infraEnv(infra);
  });

  // Each test is bounded as a whole too (a request to a service that hangs has no time limit of its own); its
  // process is killed then as when it fails.
  test('LOG_LEVEL=warn: the process logs its warnings and none of its info lines (startup, requests, job runs)', { timeout: 150_000 }, async (t) => {
    // An object no asset accounts for: the orphan sweep reports it at warn level.
    await infra.s3.send(new PutObjectCommand({ Bucket: infra.privateBucket, Key: 'attachments/nobody/stray.txt', Body: 'stray' }));
    const service = serve(t, { ...env, PORT: '0', LOG_LEVEL: 'warn', JOB_ORPHAN_INTERVAL_SECONDS: '1', ORPHAN_GRACE_SECONDS: '0' });
    const port = await eventually(
      () => {
        if (service.child.exitCode !== null) throw new Error(`exited with ${service.child.exitCode}; stdout: ${service.stdout()}\nstderr: ${service.stderr()}`);
        return listeningPort(service.child.pid!);
      },
      () => `the service to listen; stdout: ${service.stdout()}\nstderr: ${service.stderr()}`,
      { timeoutMs: 30_000 },
    );
    const url = `http://127.0.0.1:${port}`;
    await eventually(() => fetch(`${url}/health/live`).then((r) => r.ok, () => false), 'the service to answer', { timeoutMs: 30_000 });
    const created = await postGraphQL(url, CREATE, { input: uploadInput() }, await infra.issuer.token({ sub: 'quiet-owner' }));
    assert.equal(created.data?.createAssetUpload?.status, 'PENDING', JSON.stringify(created.errors));
    await eventually(() => service.stdout().includes('objects without a live asset found'), () => `the orphan warning; stdout: ${service.stdout()}`, { timeoutMs: 15_000 });
    // Past the default SHUTDOWN_TIMEOUT_MS (20 s), after which the service would exit 1 by itself.
    assert.equal(await service.terminate(30_000), 0, service.stderr());
    const lines = service.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg: string });
    assert.ok(lines.some((l) => l.level === 40), 'the warning is logged');
    assert.deepEqual(lines.filter((l) => l.level < 40).map((l) => l.msg), [], 'lines below warn were logged');
  });

  test('SHUTDOWN_TIMEOUT_MS: a SIGTERM with a request still in flight past the deadline exits 1 at the deadline, not when the request ends', { timeout: 120_000 }, async (t) => {
    const DEADLINE_MS = 500;
    // The service fetches the issuer's keys once it is up, and the first token check waits for them: a slow
    // issuer keeps that request in flight for up to 6 s.
    infra.issuer.jwksDelayMs = 6000;
    const fetchesBefore = infra.issuer.jwksRequests;
    const service = serve(t, { ...env, LOG_LEVEL: 'info', JOBS_ENABLED: 'false', SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS) });
    try {
      const url = await service.listening(30_000);
      const inFlight = postGraphQL(url, CREATE, { input: uploadInput() }, await infra.issuer.token({ sub: 'late-owner' })).catch(() => undefined);
      // Two fetches: the start-up check's (at listen, whatever the requests) and the verifier's, which only the
      // request makes: then the request is surely in flight.
      await eventually(() => infra.issuer.jwksRequests >= fetchesBefore + 2, 'the request to wait on the issuer\'s keys');
      const signalled = Date.now();
      // With the setting ignored the process exits when the request ends (6 s), or at the default deadline (20 s).
      const code = await service.terminate(30_000);
      const took = Date.now() - signalled;
      assert.equal(code, 1, service.stdout() + service.stderr());
      assert.ok(took >= DEADLINE_MS - 50 && took < 5500, `exited ${took} ms after SIGTERM`);
      assert.match(service.stdout(), /shutdown deadline passed/);
      await inFlight;
    } finally {
      infra.issuer.jwksDelayMs = 0;
    }
  });
});
