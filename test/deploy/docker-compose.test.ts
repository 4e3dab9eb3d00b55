import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { ENV_VARS } from '../../src/config/env-schema.js';
import { DEV_AUDIENCE, DEV_ISSUER, issueDevToken } from '../../src/dev/dev-token-issuer.js';
import { defaultOf, missingRequiredEnvVars, unknownEnvVars } from './support/env-vars.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const service = services['neotool-assets']!;
const storageInit = services['storage-init']!;
const jwks = services.jwks!;

/** Host ports a service publishes, from "127.0.0.1:9000:9000" or "9000:9000" to 9000. */
function publishedPorts(s: ComposeService): number[] {
  return (s.ports ?? []).map((mapping) => Number(mapping.split(':').at(-2)));
}

/** The compose service a host name in the environment points at. */
function serviceAt(host: string): ComposeService {
  const target = services[host];
  assert.ok(target, `"${host}" is not a service of docker-compose.yml`);
  return target;
}

describe('docker-compose.yml', () => {
  test('runs PostgreSQL, MinIO, a JWKS, the one-shot storage init and the service from the image neotool-assets', () => {
    assert.match(services.postgres?.image ?? '', /^postgres:1[56]\b/);
    assert.match(services.minio?.image ?? '', /minio\/minio:/);
    for (const s of [service, storageInit]) {
      assert.equal(s.image, 'neotool-assets');
      assert.ok(s.build, 'built from this clone');
    }
    assert.deepEqual(storageInit.command, ['storage', 'init']);
  });

  for (const [name, s] of [['the service', service], ['storage init', storageInit]] as const) {
    test(`${name} is given only variables the service knows, all the required ones, and a configuration the service accepts`, () => {
      const env = s.environment ?? {};
      assert.deepEqual(unknownEnvVars(Object.keys(env)), []);
      assert.deepEqual(missingRequiredEnvVars(Object.keys(env)), []);
      assert.doesNotThrow(() => loadConfig(env));
    });
  }

  test('the service and storage init see the same storage', () => {
    assert.deepEqual(storageInit.environment, service.environment);
  });

  test('the service uses the documented MinIO values, with the compose service as the storage host', () => {
    const env = service.environment ?? {};
    const documented = Object.entries(ENV_VARS).filter(([name, spec]) => 'minio' in spec && name !== 'STORAGE_HOSTNAME');
    assert.ok(documented.length > 0);
    for (const [name, spec] of documented) assert.equal(env[name], (spec as { minio: string }).minio, name);
    assert.equal(env.STORAGE_HOSTNAME, 'minio');
  });

  test('the service reaches the containers by their compose names, with their credentials', () => {
    const env = service.environment ?? {};
    const minio = serviceAt(env.STORAGE_HOSTNAME!);
    assert.equal(env.STORAGE_ACCESS_KEY, minio.environment?.MINIO_ROOT_USER);
    assert.equal(env.STORAGE_SECRET, minio.environment?.MINIO_ROOT_PASSWORD);
    assert.ok(publishedPorts(minio).includes(Number(env.STORAGE_PORT)));
    const postgres = serviceAt(env.POSTGRES_HOST!);
    assert.equal(env.POSTGRES_USER, postgres.environment?.POSTGRES_USER);
    assert.equal(env.POSTGRES_PASSWORD, postgres.environment?.POSTGRES_PASSWORD);
    assert.equal(env.POSTGRES_DB, postgres.environment?.POSTGRES_DB);
    const jwksUrl = new URL(env.JWT_JWKS_URL!);
    assert.equal(serviceAt(jwksUrl.hostname), jwks);
    assert.equal(jwksUrl.port, jwks.environment?.PORT);
  });

  test('MinIO, which has no bucket CORS (storage init reports that step as manual), allows the browser origins the service allows', () => {
    const origins = (value: string | undefined) => (value ?? '').split(',').map((o) => o.trim()).filter(Boolean);
    assert.deepEqual(origins(services.minio?.environment?.MINIO_API_CORS_ALLOW_ORIGIN), origins(service.environment?.ASSET_CORS_ALLOWED_ORIGINS));
    assert.ok(origins(service.environment?.ASSET_CORS_ALLOWED_ORIGINS).length > 0);
  });

  test('tokens from `npm run token` pass the service issuer and audience checks', () => {
    assert.equal(service.environment?.JWT_ISSUER, DEV_ISSUER);
    assert.equal(service.environment?.JWT_AUDIENCE, DEV_AUDIENCE);
  });

  test('publishes the service on its default port and MinIO API and console on 9000 and 9001', () => {
    assert.deepEqual(publishedPorts(service), [Number(defaultOf('PORT'))]);
    assert.deepEqual(publishedPorts(services.minio!).sort(), [9000, 9001]);
  });

  test('starts storage init once MinIO is healthy, and the service after the database, the JWKS and storage init', () => {
    assert.deepEqual(storageInit.depends_on, { minio: { condition: 'service_healthy' } });
    assert.deepEqual(service.depends_on, {
      postgres: { condition: 'service_healthy' },
      jwks: { condition: 'service_healthy' },
      'storage-init': { condition: 'service_completed_successfully' },
    });
  });

  test('every service waited for as healthy has a healthcheck', () => {
    const awaited = Object.values(services).flatMap((s) => Object.entries(s.depends_on ?? {}).filter(([, d]) => d.condition === 'service_healthy').map(([name]) => name));
    const unchecked = awaited.filter((name) => !services[name]?.healthcheck?.test?.length);
    assert.deepEqual(unchecked, []);
  });
});

describe('the JWKS of the compose stack (deploy/compose/dev-jwks-server.mjs)', () => {
  let scratch: string;
  let server: ReturnType<typeof spawn>;
  let baseUrl: string;
  let jwksPath: string;

  /** Where the key file the compose service reads lies in a clone at `root`. */
  function keyFileIn(root: string): string {
    const repoMount = jwks.volumes?.find((v) => v.startsWith('./:'))?.split(':')[1];
    assert.ok(repoMount, 'the jwks service does not mount the clone');
    return path.join(root, path.posix.relative(repoMount, jwks.environment?.DEV_SIGNING_KEY ?? ''));
  }

  async function freePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'neotool-jwks-'));
    const port = await freePort();
    const script = (jwks.command ?? []).at(-1)?.replace(/^\/repo\//, '') ?? '';
    server = spawn(process.execPath, [script], { env: { PATH: process.env.PATH, PORT: String(port), DEV_SIGNING_KEY: keyFileIn(scratch) }, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve, reject) => {
      server.stdout?.once('data', resolve);
      server.once('exit', (code) => reject(new Error(`the JWKS server exited (code ${code}) before listening`)));
    });
    baseUrl = `http://127.0.0.1:${port}`;
    jwksPath = new URL(service.environment?.JWT_JWKS_URL ?? '').pathname;
  });

  after(async () => {
    server?.kill('SIGTERM');
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('answers its healthcheck and says how to create the key before `npm run token` has run', async () => {
    assert.equal((await fetch(`${baseUrl}/health`)).status, 200);
    const response = await fetch(`${baseUrl}${jwksPath}`);
    assert.equal(response.status, 503);
    assert.match(((await response.json()) as { error: string }).error, /npm run token/);
  });

  test('publishes the public half of the key `npm run token` signs with, and nothing private', async () => {
    // `npm run token` keeps its key in .data/ of the clone, which the compose service mounts.
    const token = await issueDevToken({ sub: 'alice', dataDir: path.join(scratch, '.data') });
    const response = await fetch(`${baseUrl}${jwksPath}`);
    assert.equal(response.status, 200);
    const keySet = (await response.json()) as JSONWebKeySet;
    assert.deepEqual(keySet.keys.flatMap((key) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].filter((member) => member in key)), []);
    const { payload } = await jwtVerify(token, createLocalJWKSet(keySet), { issuer: service.environment?.JWT_ISSUER, audience: service.environment?.JWT_AUDIENCE, algorithms: ['RS256'] });
    assert.equal(payload.sub, 'alice');
  });
});
