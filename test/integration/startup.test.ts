// The real `neotool-assets serve` process, as Kubernetes starts it: with one setting broken it exits
// non-zero with one message that names the setting and the fix, never a stack trace.
import { lookup } from 'node:dns/promises';
import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startService } from '../../src/app.js';
import { describeStartupError } from '../../src/cli/startup-errors.js';
import { loadConfig } from '../../src/config/config.js';
import { directoryWithDotEnv, npmScriptNodeFlags, runCli, startCli, type CliResult } from '../support/cli-process.js';
import { eventually } from '../support/eventually.js';
import { jsonServer } from '../support/json-server.js';
import { adminS3, closedPort, createBuckets, createDatabase, deleteBuckets, requireEnv, s3Endpoint, secondS3User, silentEndpoint, uniqueName } from '../support/infra.js';
import { infraEnv, ownInfra, postGraphQL, type TestInfra } from '../support/test-service.js';
import { testRedisUrl } from '../support/limit-backends.js';


function withDatabase(url: string, change: (u: URL) => void): string {
  const copy = new URL(url);
  change(copy);
  return copy.toString();
}

type Breakage = (infra: TestInfra) => Promise<Record<string, string | undefined>> | Record<string, string | undefined>;

// The runbook's troubleshooting cases, each started as a real process.
const BROKEN: [string, Breakage, RegExp[]][] = [
  ['a bucket that does not exist', () => ({ STORAGE_PUBLIC_BUCKET: uniqueName('missing') }), [/Bucket "missing-[^"]+" \(STORAGE_PUBLIC_BUCKET\) does not exist/, /storage init/]],
  ['a wrong storage secret', () => ({ STORAGE_SECRET: 'not-the-secret' }), [/rejected the request signature/, /Fix STORAGE_SECRET/]],
  ['an unknown access key', () => ({ STORAGE_ACCESS_KEY: 'NOSUCHACCESSKEY' }), [/does not know the access key/, /Fix STORAGE_ACCESS_KEY/]],
  ['a scheme in STORAGE_HOSTNAME', () => ({ STORAGE_HOSTNAME: `http://${s3Endpoint().hostname}` }), [/STORAGE_HOSTNAME must not include a scheme/, /STORAGE_USE_HTTPS/]],
  ['a STORAGE_PORT that is not a number', () => ({ STORAGE_PORT: 'nine-thousand' }), [/STORAGE_PORT must be a whole number/]],
  ['an unreachable storage endpoint', async () => ({ STORAGE_PORT: String(await closedPort()) }), [/Cannot reach storage at http:\/\/127\.0\.0\.1:\d+/, /STORAGE_HOSTNAME, STORAGE_PORT/]],
  ['HTTPS against the plain-HTTP storage port', () => ({ STORAGE_USE_HTTPS: 'true' }), [/TLS handshake with storage at https:\/\/127\.0\.0\.1:\d+ failed \(.*EPROTO/, /Set STORAGE_USE_HTTPS=false/]],
  ['an unreachable database', (infra) => ({ DATABASE_URL: withDatabase(infra.databaseUrl, (u) => (u.port = '1')) }), [/Cannot reach PostgreSQL at 127\.0\.0\.1:1/, /DATABASE_URL/]],
  ['example values of the production overlay left in', () => ({ JWT_ISSUER: 'https://security.yourdomain.com', ASSET_CORS_ALLOWED_ORIGINS: 'https://app.yourdomain.com' }), [/JWT_ISSUER=https:\/\/security\.yourdomain\.com, ASSET_CORS_ALLOWED_ORIGINS=https:\/\/app\.yourdomain\.com: example values of the manifests or the runbook/, /Set your own \(the production overlay's ConfigMap\)/]],
  ['an unreachable Redis (REDIS_URL)', async () => ({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }), [/Cannot reach Redis at 127\.0\.0\.1:\d+ \(.*ECONNREFUSED/, /Check REDIS_URL/]],
];

// More ways to get the database wrong: the same startup and explanation, checked in-process because
// every spawned process costs seconds of module loading.
const BROKEN_DATABASE: [string, (url: URL) => void, RegExp[]][] = [
  ['a host that does not resolve', (u) => (u.hostname = 'no-such-host.invalid'), [/"no-such-host\.invalid"/, /DATABASE_URL \/ POSTGRES_HOST/]],
  ['a port where something else than PostgreSQL answers', (u) => (u.port = s3Endpoint().port), [/database connection failed/, /DATABASE_URL/]],
  ['a database that does not exist', (u) => (u.pathname = '/no_such_database'), [/"no_such_database" does not exist/, /POSTGRES_DB/]],
];

/** The second S3 user of the test Ceph (its own credentials, no grant on the first user's buckets) as the service's settings. */
function secondUser(): { STORAGE_ACCESS_KEY: string; STORAGE_SECRET: string } {
  const { accessKeyId, secretAccessKey } = secondS3User();
  return { STORAGE_ACCESS_KEY: accessKeyId, STORAGE_SECRET: secretAccessKey };
}

/** Runs startService in a process of its own and, when the start fails, lets that process end by itself (see the file). */
const FAILING_START = fileURLToPath(new URL('../support/failing-start.ts', import.meta.url));

/** The service's connections (application_name neotool-assets, src/db/pool.ts) to a database, as PostgreSQL lists them. */
async function serviceBackends(databaseUrl: string): Promise<number> {
  const admin = new pg.Client({ connectionString: requireEnv('TEST_DATABASE_URL') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'neotool-assets'", [
      new URL(databaseUrl).pathname.slice(1),
    ]);
    return rows[0]!.n;
  } finally {
    await admin.end();
  }
}

/** Whether the machine's resolver knows the host name. */
async function resolves(hostname: string): Promise<boolean> {
  return lookup(hostname).then(() => true, () => false);
}

/** A refused start as the runbook describes it: non-zero, one message with the cause and the fix, no stack trace, no warning before it. */
function assertExplainedRefusal(result: CliResult, expected: RegExp[]): void {
  assert.notEqual(result.code, 0, result.stdout + result.stderr);
  assert.equal(result.stderr.match(/neotool-assets:/g)?.length, 1, result.stderr);
  assert.ok(result.stderr.startsWith('neotool-assets: '), result.stderr);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
  for (const pattern of expected) assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stdout, /Bucket validation successful/);
  // The refusal is the only thing said: no "lost the connection" warning with a stack before it (unreachable Redis).
  assert.doesNotMatch(result.stdout, /Lost the connection to Redis/);
}

describe('starting the real service process', () => {
  let env: Record<string, string>;
  let infra: Awaited<ReturnType<typeof ownInfra>>;
  before(async () => {
    infra = await ownInfra();
    env = { ...infraEnv(infra), LOG_LEVEL: 'info' };
  });
  after(() => infra.release());

  // Each start is its own process: a few side by side, as many as the cores can load at once.
  describe('refuses to start', { concurrency: 3 }, () => {
    for (const [what, breakage, expected] of BROKEN) {
      test(`with ${what}: exits non-zero with one message naming the setting and the fix, and no stack trace`, async () => {
        const result = await runCli(['serve'], { ...env, ...(await breakage(infra)) }, { timeoutMs: 60_000 });
        assertExplainedRefusal(result, expected);
      });
    }

    // AccessDenied for real: the second Ceph user's valid credentials, against buckets the first user owns
    // (private, and the public one grants anonymous GetObject only, not the listing the check needs).
    test('with credentials that may not use the buckets (AccessDenied): names the public bucket, its setting and the fix', async () => {
      const result = await runCli(['serve'], { ...env, ...secondUser() }, { timeoutMs: 60_000 });
      assertExplainedRefusal(result, [
        new RegExp(`^neotool-assets: Access to bucket "${infra.publicBucket}" \\(STORAGE_PUBLIC_BUCKET\\) was denied\\. Give the credentials in STORAGE_ACCESS_KEY read/write access to this bucket\\.$`, 'm'),
      ]);
    });

    test('with credentials that may use the public bucket but not the private one (AccessDenied): names STORAGE_PRIVATE_BUCKET', async () => {
      const s3 = adminS3(secondS3User());
      const ownBucket = uniqueName('pub2');
      await createBuckets(s3, ownBucket);
      try {
        const result = await runCli(['serve'], { ...env, ...secondUser(), STORAGE_PUBLIC_BUCKET: ownBucket }, { timeoutMs: 60_000 });
        assertExplainedRefusal(result, [
          new RegExp(`Access to bucket "${infra.privateBucket}" \\(STORAGE_PRIVATE_BUCKET\\) was denied`),
          /Give the credentials in STORAGE_ACCESS_KEY read\/write access/,
        ]);
        assert.doesNotMatch(result.stderr, new RegExp(ownBucket));
      } finally {
        await deleteBuckets(s3, ownBucket);
        s3.destroy();
      }
    });

    // Virtual-hosted style puts the bucket into the host name, and <bucket>.localhost resolves nowhere here (some
    // resolvers, systemd-resolved among them, answer any *.localhost with 127.0.0.1: there the case cannot be made).
    test('with virtual-hosted style against a Ceph host named localhost: says that MinIO and Ceph need STORAGE_FORCE_PATH_STYLE=true', async (t) => {
      const bucketHost = `${infra.publicBucket}.localhost`;
      if (await resolves(bucketHost)) return t.skip(`${bucketHost} resolves on this machine`);
      const result = await runCli(['serve'], { ...env, STORAGE_HOSTNAME: 'localhost', STORAGE_FORCE_PATH_STYLE: 'false' }, { timeoutMs: 60_000 });
      assertExplainedRefusal(result, [
        new RegExp(`Cannot reach storage at http://localhost:\\d+ \\(Error: getaddrinfo ENOTFOUND ${bucketHost}\\)`),
        new RegExp(`asks for the host ${bucketHost}; MinIO and Ceph need STORAGE_FORCE_PATH_STYLE=true\\.$`, 'm'),
      ]);
    });

    // Each storage call may take STORAGE_TIMEOUT_MS (default 5000: the S3 client's connection and request
    // timeouts, src/storage/s3-client.ts) and is tried twice (maxAttempts 2), so the HEAD of the first
    // bucket gives up after about 10 s. 60 s is only the bound that keeps a regression from hanging the suite
    // (without throwOnRequestTimeout the SDK merely warned and the start waited forever).
    test('with a storage endpoint that accepts connections but never answers: exits with the timeout, naming the endpoint and the settings', async () => {
      const endpoint = await silentEndpoint();
      try {
        const result = await runCli(['serve'], { ...env, STORAGE_PORT: String(endpoint.port) }, { timeoutMs: 60_000 });
        assertExplainedRefusal(result, [
          new RegExp(`Cannot reach storage at http://127\\.0\\.0\\.1:${endpoint.port} \\(TimeoutError: [^)]+\\)`),
          /TimeoutError: [^)]*\b5000 ms\b/, // the SDK's words; the number is STORAGE_TIMEOUT_MS (default)
          /Check STORAGE_HOSTNAME, STORAGE_PORT and STORAGE_USE_HTTPS, and that the endpoint is reachable from here\./,
        ]);
        assert.ok(endpoint.accepted() >= 1, 'the service never connected: the timeout was not the one under test');
      } finally {
        await endpoint.close();
      }
    });
  });

  for (const [what, change, expected] of BROKEN_DATABASE) {
    test(`with ${what} in DATABASE_URL: startup fails with a message naming the setting`, async () => {
      const broken = { ...env, LOG_LEVEL: 'silent', DATABASE_URL: withDatabase(infra.databaseUrl, change) };
      await assert.rejects(startService(loadConfig(broken)), (error) => {
        for (const pattern of expected) assert.match(describeStartupError(error), pattern);
        return true;
      });
    });
  }

  // PORT taken by another process (here one that accepts connections and never answers): the start passes
  // every check (migrations, Redis, buckets), builds the HTTP server, and fails only at listen. Everything
  // it opened on the way must be closed again (src/app.ts, `opened`), or a supervisor that retries the
  // start in-process would pile up connections, and the process would not end.
  describe('with PORT already taken (a start that fails after the HTTP server is built)', () => {
    let taken: Awaited<ReturnType<typeof silentEndpoint>>;
    let portTaken: RegExp;
    before(async () => {
      taken = await silentEndpoint();
      portTaken = new RegExp(`^Port already in use \\(listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${taken.port}\\)\\. Stop the other process or set PORT\\.$`);
    });
    after(() => taken.close());

    test('startService rejects with the port explained, and the database connections it made are gone', async (t) => {
      const database = await createDatabase();
      t.after(() => database.drop());
      const settings = { ...env, LOG_LEVEL: 'silent', DATABASE_URL: database.url, PORT: String(taken.port) };
      await assert.rejects(startService(loadConfig(settings)), (error) => {
        assert.match(describeStartupError(error), portTaken);
        return true;
      });
      // Its pool had connected: the migrations are in.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        assert.ok((await client.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]!.n > 0);
      } finally {
        await client.end();
      }
      // Left open, the pool's idle connection would stay for its idleTimeoutMillis (30 s).
      await eventually(() => serviceBackends(database.url), 'the failed start\'s database connections to close', { until: (n) => n === 0, timeoutMs: 5000 });
    });

    test('with Redis too: the process ends by itself after the failed start, with no connection left open', async () => {
      const result = await runCli([], { ...env, REDIS_URL: testRedisUrl(), PORT: String(taken.port) }, { bin: FAILING_START, nodeFlags: ['--import', 'tsx'], timeoutMs: 60_000 });
      // Every connection was made before the failure: PostgreSQL (migrations), Redis, storage.
      assert.match(result.stdout, /"msg":"Rate limits are counted in Redis"/);
      assert.match(result.stdout, /"msg":"Bucket validation successful"/);
      assert.match(result.stderr.trimEnd(), portTaken);
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    });
  });

  test('with everything right it logs "Bucket validation successful", serves, fetches the issuer\'s keys once (readiness hands them to the token verifier), and SIGTERM ends it with exit code 0', async () => {
    const fetchesBefore = infra.issuer.jwksRequests;
    const service = startCli(['serve'], env);
    try {
      const url = await service.listening(60_000);
      assert.match(service.stdout(), /"msg":"Bucket validation successful"/);
      assert.doesNotMatch(service.stdout(), /"level":40/, 'nothing to warn about');
      assert.equal((await fetch(`${url}/health`)).status, 200);
      assert.equal((await fetch(`${url}/health/ready`)).status, 200);
      assert.equal((await postGraphQL(url, '{ __typename }', {}, await infra.issuer.token({ sub: 'first-caller' }))).status, 200);
      assert.equal(infra.issuer.jwksRequests - fetchesBefore, 1);
      assert.equal(await service.terminate(), 0, service.stderr());
      assert.equal(service.stderr(), '');
    } finally {
      await service.kill();
    }
  });

  test('without JWT_ISSUER and JWT_AUDIENCE it serves, but warns that it takes tokens whatever issuer and audience they name', async () => {
    const { JWT_ISSUER: _issuer, JWT_AUDIENCE: _audience, ...unscoped } = env;
    const service = startCli(['serve'], unscoped);
    try {
      await service.listening(60_000);
      const warning = service.stdout().split('\n').filter((line) => line.includes('"unset"')).map((line) => JSON.parse(line))[0];
      assert.ok(warning, service.stdout());
      assert.equal(warning.level, 40);
      assert.deepEqual(warning.unset, ['JWT_ISSUER', 'JWT_AUDIENCE']);
      assert.match(warning.msg, /^JWT_ISSUER and JWT_AUDIENCE not set: .* set them to what your token issuer puts in "iss" and "aud"$/);
    } finally {
      await service.kill();
    }
  });

  test('with JWT_JWKS_URL unreachable it serves but is not ready, and warns at once that no token can be verified, naming the URL', async () => {
    const jwksUrl = 'http://127.0.0.1:9/.well-known/jwks.json'; // the discard port: nothing listens
    const service = startCli(['serve'], { ...env, JWT_JWKS_URL: jwksUrl });
    try {
      const url = await service.listening(60_000);
      const warning = await eventually(
        () => service.stdout().split('\n').filter((line) => line.includes('JWT_JWKS_URL unusable')).map((line) => JSON.parse(line))[0],
        'the JWKS warning',
      );
      assert.equal(warning.level, 40);
      assert.equal(warning.jwksUrl, jwksUrl);
      assert.match(warning.msg, /^JWT_JWKS_URL unusable at start: .*127\.0\.0\.1:9.* Until it serves an RS256 signing key, no token can be verified and \/health\/ready answers 503\.$/);
      const ready = await fetch(`${url}/health/ready`);
      assert.equal(ready.status, 503);
      const { checks } = (await ready.json()) as { checks: Record<string, { status: string; error?: string }> };
      assert.equal(checks.issuerKeys!.status, 'down');
      assert.match(checks.issuerKeys!.error ?? '', /127\.0\.0\.1:9/);
      assert.deepEqual([checks.database!.status, checks.storage!.status], ['up', 'up']);
      assert.equal((await fetch(`${url}/health/live`)).status, 200, 'alive: Kubernetes must not restart it for this');
    } finally {
      await service.kill();
    }
  });

  test('a service whose issuer serves no keys at start becomes ready once it does, says so, and stays ready through a later issuer outage', async (t) => {
    const keys = await (await fetch(infra.issuer.jwksUrl)).text();
    let answer = { status: 404, body: '{"error":"not yet"}' };
    const issuer = await jsonServer(() => answer);
    t.after(() => issuer.close());
    const service = startCli(['serve'], { ...env, JWT_JWKS_URL: `${issuer.url}/jwks.json` });
    try {
      const url = await service.listening(60_000);
      const readiness = async () => (await fetch(`${url}/health/ready`)).status;
      await eventually(() => service.stdout().includes('JWT_JWKS_URL unusable at start'), 'the JWKS warning');
      assert.equal(await readiness(), 503);
      answer = { status: 200, body: keys };
      assert.equal(await readiness(), 200, 'ready at the next probe');
      // The log line reaches the pipe a moment after the probe's answer, so it is awaited, not read at once.
      const usable = /"msg":"JWT_JWKS_URL usable now \(1 RS256 key\(s\) at [^)]+\): tokens can be verified, the service is ready"/;
      await eventually(() => usable.test(service.stdout()), () => `the "usable now" log line in ${service.stdout()}`);
      answer = { status: 503, body: '{}' };
      assert.equal(await readiness(), 200, 'keys once fetched are cached: an issuer outage does not take the pod out of the Service');
      const call = await postGraphQL(url, '{ __typename }', {}, await infra.issuer.token({ sub: 'first-caller' }));
      assert.equal(call.status, 200, 'ready means the verifier holds the keys: the first token is verified during the outage');
    } finally {
      await service.kill();
    }
  });

  test('with JWT_JWKS_URL answering JSON that is not a JWKS it keeps serving and warns, never crashing on the answer', async (t) => {
    const notJwks = await jsonServer(() => ({ body: 'null' }));
    t.after(() => notJwks.close());
    const service = startCli(['serve'], { ...env, JWT_JWKS_URL: `${notJwks.url}/jwks.json` });
    try {
      const url = await service.listening(60_000);
      await eventually(() => service.stdout().includes('does not answer with a JWKS'), () => `the JWKS warning in ${service.stdout()}`);
      assert.equal((await fetch(`${url}/health/live`)).status, 200, 'still serving after the check');
      assert.equal(service.child.exitCode, null);
    } finally {
      await service.kill();
    }
  });

  test('`npm start` reads .env from the directory it runs in: with every setting only there, it serves', async () => {
    // npm start runs in the checkout, where the default namespaces file is; this directory has none.
    const { dir, remove } = await directoryWithDotEnv({ ...env, ASSET_CONFIG_PATH: path.resolve('config/namespaces.yaml') });
    const service = startCli(['serve'], {}, { cwd: dir, nodeFlags: npmScriptNodeFlags('start', ['serve']) });
    try {
      const url = await service.listening(60_000);
      assert.equal((await fetch(`${url}/health`)).status, 200);
    } finally {
      await service.kill();
      await remove();
    }
  });

  test('dev mode refuses NODE_ENV=production, saying what to use instead', async () => {
    const result = await runCli(['dev'], { NODE_ENV: 'production' }, { timeoutMs: 60_000 });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^neotool-assets: dev mode refuses to run with NODE_ENV=production; use `neotool-assets serve`/);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  });

  test('dev mode run outside the project says where it looked for the namespaces file and what to do, before starting anything', async (t) => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'dev-elsewhere-'));
    t.after(() => rm(elsewhere, { recursive: true, force: true }));
    const result = await runCli(['dev'], {}, { cwd: elsewhere, timeoutMs: 60_000 });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.equal(
      result.stderr,
      `neotool-assets: Cannot read the namespaces file "config/namespaces.yaml" (ASSET_CONFIG_PATH): there is no such file in ${await realpath(elsewhere)}. ` +
        "Run from the directory that holds it (the project's, for the shipped config/namespaces.yaml), or set ASSET_CONFIG_PATH to its full path.\n",
    );
    assert.deepEqual(await readdir(elsewhere), [], 'no .data/ was made: nothing started');
  });

  test('dev mode refuses an invalid setting of the developer (PORT=abc) before starting anything', async (t) => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'dev-bad-port-'));
    t.after(() => rm(elsewhere, { recursive: true, force: true }));
    const result = await runCli(['dev'], { PORT: 'abc', ASSET_CONFIG_PATH: path.resolve('config/namespaces.yaml') }, { cwd: elsewhere, timeoutMs: 60_000 });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /PORT must be a whole number \(got "abc"\)/);
    assert.deepEqual(await readdir(elsewhere), [], 'no .data/ was made: nothing started');
  });

  test('dev mode refuses POSTGRES_* and REDIS_URL before starting anything, naming each of them', async () => {
    const result = await runCli(['dev'], { POSTGRES_PORT: '5433', POSTGRES_USER: 'app', REDIS_URL: 'redis://127.0.0.1:1' }, { timeoutMs: 60_000 });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^neotool-assets: dev mode runs its own .*real settings are set: POSTGRES_PORT, POSTGRES_USER, REDIS_URL\. Unset them/);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
    assert.equal(result.stdout, '');
  });
});
