import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startDevEnvironment, type DevEnvironment, type DevPorts } from '../../../src/dev/dev-environment.js';
import { issueDevToken } from '../../../src/dev/dev-token-issuer.js';
import { eventually } from '../../support/eventually.js';

const SRC_DEV = fileURLToPath(new URL('../../../src/dev/', import.meta.url));

describe('the dev environment', () => {
  let dataDir: string;
  let ports: Required<DevPorts>;
  let dev: DevEnvironment;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'neotool-dev-'));
    const [postgres, s3, jwks] = await freePorts(3);
    ports = { postgres: postgres!, s3: s3!, jwks: jwks! };
    dev = await startDevEnvironment({ dataDir, ports });
  });

  after(async () => {
    await dev?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('points DATABASE_URL at a PostgreSQL that answers queries in the neotool_assets database', async () => {
    assert.equal(await query(dev.env, 'SELECT current_database() AS name'), 'neotool_assets');
  });

  it('stores an object PUT through a presigned URL with signed content headers, and returns it through a presigned GET', async () => {
    const body = Buffer.from('private bytes');
    const s3 = s3Client(dev.env);
    const put = new PutObjectCommand({ Bucket: dev.env.STORAGE_PRIVATE_BUCKET, Key: 'docs/a.txt', ContentType: 'text/plain', ContentLength: body.length });
    const putUrl = await getSignedUrl(s3, put, { expiresIn: 300, signableHeaders: new Set(['content-type', 'content-length']) });
    assert.equal((await fetch(putUrl, { method: 'PUT', body, headers: { 'content-type': 'text/plain' } })).status, 200);
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: dev.env.STORAGE_PRIVATE_BUCKET, Key: 'docs/a.txt' }), { expiresIn: 300 });
    assert.equal(await (await fetch(getUrl)).text(), 'private bytes');
  });

  it('serves public-bucket objects to anonymous GETs under STORAGE_PUBLIC_BASE_PATH', async () => {
    await putPublicObject(dev.env, 'images/logo.txt', 'public bytes');
    const response = await fetch(`${dev.env.STORAGE_PUBLIC_BASE_PATH}/images/logo.txt`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'public bytes');
  });

  it('issues tokens that verify against its JWKS with RS256, the dev issuer and audience', async () => {
    const token = await issueDevToken({ dataDir, sub: 'alice', permissions: ['assets:asset:view'] });
    const jwks = createRemoteJWKSet(new URL(dev.env.JWT_JWKS_URL!));
    const { payload } = await jwtVerify(token, jwks, { algorithms: ['RS256'], issuer: dev.env.JWT_ISSUER, audience: dev.env.JWT_AUDIENCE });
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.type, 'access');
    assert.deepEqual(payload.permissions, ['assets:asset:view']);
  });

  it('keeps the private signing key in .data/dev-keys, readable and writable by its owner only', async () => {
    const keyFiles = await readdir(path.join(dataDir, 'dev-keys'));
    assert.equal(keyFiles.length, 1);
    assert.equal((await stat(path.join(dataDir, 'dev-keys', keyFiles[0]!))).mode & 0o777, 0o600);
  });

  it('keeps rows, objects and the signing key when restarted on the same data directory', async () => {
    await query(dev.env, 'CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$)');
    await putPublicObject(dev.env, 'kept.txt', 'kept bytes');
    const kidBefore = await publishedKid(dev.env);
    await dev.stop();
    dev = await startDevEnvironment({ dataDir, ports });
    assert.equal(await query(dev.env, 'SELECT v FROM kept'), 'still here');
    assert.equal(await (await fetch(`${dev.env.STORAGE_PUBLIC_BASE_PATH}/kept.txt`)).text(), 'kept bytes');
    assert.equal(await publishedKid(dev.env), kidBefore);
    assert.equal(decodeProtectedHeader(await issueDevToken({ dataDir })).kid, kidBefore);
  });

  it('starts despite a postmaster.pid left by a killed PostgreSQL whose pid now belongs to another program, and leaves that program alone', async () => {
    await dev.stop();
    const other = livingProcessPostgresMaySignal();
    try {
      await writeFile(path.join(dataDir, 'postgres', 'postmaster.pid'), `${other.pid}\n${dataDir}/postgres\n`);
      dev = await startDevEnvironment({ dataDir, ports });
      assert.equal(await query(dev.env, 'SELECT v FROM kept'), 'still here');
      assert.equal(other.exitCode ?? other.signalCode, null);
    } finally {
      other.kill();
    }
  });

  it('shuts down a PostgreSQL orphaned by a dev run killed with SIGKILL, then starts on the same data', async (t) => {
    await dev.stop();
    const orphanPid = await orphanPostgres(dataDir, ports.postgres);
    if ((await parentPid(orphanPid)) !== 1) {
      process.kill(orphanPid, 'SIGINT');
      await eventually(async () => (await parentPid(orphanPid).catch(() => 0)) === 0, 'the orphaned PostgreSQL to exit', { timeoutMs: 5000 });
      return t.skip('this system re-parents orphans to a subreaper, not pid 1, so they look owned');
    }
    dev = await startDevEnvironment({ dataDir, ports });
    assert.equal(await query(dev.env, 'SELECT v FROM kept'), 'still here');
  });

  it('fails on a taken port with a message naming the port and DEV_S3_PORT, leaving nothing running', async () => {
    await dev.stop();
    const blocker = net.createServer().listen(ports.s3, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      await assert.rejects(startDevEnvironment({ dataDir, ports }), new RegExp(`Port ${ports.s3} .*DEV_S3_PORT=`));
    } finally {
      blocker.close();
    }
    assert.deepEqual(await childProcessNames(), []);
    assert.equal(await isFree(ports.postgres), true);
  });

  it('stop() leaves no child processes and frees every port', async () => {
    dev = await startDevEnvironment({ dataDir, ports });
    assert.deepEqual((await childProcessNames()).sort(), ['node', 'postgres']);
    await dev.stop();
    assert.deepEqual(await childProcessNames(), []);
    for (const port of Object.values(ports)) assert.equal(await isFree(port), true, `port ${port} is still taken`);
  });

  it('takes its S3 server down when the process that started it is killed with SIGKILL', async () => {
    const [port] = await freePorts(1);
    const child = await runUntilReady(`const { startEmbeddedS3 } = await import('${SRC_DEV}embedded-s3.ts'); await startEmbeddedS3({ dataDir: '${dataDir}', port: ${port} });`);
    assert.equal(await isFree(port!), false);
    child.kill('SIGKILL');
    assert.equal(await eventually(() => isFree(port!), `port ${port} to be freed`, { timeoutMs: 5000 }), true);
  });
});

async function query(env: Record<string, string>, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    const results = await client.query(sql);
    const last = Array.isArray(results) ? results[results.length - 1] : results;
    return Object.values(last?.rows[0] ?? {})[0];
  } finally {
    await client.end();
  }
}

function s3Client(env: Record<string, string>): S3Client {
  return new S3Client({
    endpoint: `http://${env.STORAGE_HOSTNAME}:${env.STORAGE_PORT}`,
    region: env.STORAGE_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: env.STORAGE_ACCESS_KEY!, secretAccessKey: env.STORAGE_SECRET! },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function putPublicObject(env: Record<string, string>, key: string, text: string): Promise<void> {
  await s3Client(env).send(new PutObjectCommand({ Bucket: env.STORAGE_PUBLIC_BUCKET, Key: key, Body: text, ContentType: 'text/plain' }));
}

async function publishedKid(env: Record<string, string>): Promise<string> {
  const { keys } = (await (await fetch(env.JWT_JWKS_URL!)).json()) as { keys: { kid: string; d?: string }[] };
  assert.equal(keys.length, 1);
  assert.equal(keys[0]!.d, undefined, 'the JWKS must not publish the private key');
  return keys[0]!.kid;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => listenOn(0)));
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

async function listenOn(port: number): Promise<net.Server> {
  const server = net.createServer().listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function isFree(port: number): Promise<boolean> {
  try {
    const server = await listenOn(port);
    await new Promise((resolve) => server.close(resolve));
    return true;
  } catch {
    return false;
  }
}

/** Names of this process's living children, leaving out tsx's esbuild service. */
async function childProcessNames(): Promise<string[]> {
  const stats = await Promise.all((await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')));
  return stats
    .map((line) => /^\d+ \((.*)\) (\S+) (\d+)/.exec(line))
    .filter((match) => match?.[3] === String(process.pid) && match[2] !== 'Z' && match[1] !== 'esbuild')
    .map((match) => match![1]!);
}

async function parentPid(pid: number): Promise<number> {
  return Number(/^\d+ \(.*\) \S+ (\d+)/.exec(await readFile(`/proc/${pid}/stat`, 'utf8'))?.[1]);
}

/**
 * PostgreSQL clears a postmaster.pid whose pid is dead or belongs to a user it may not signal, so the blocking
 * case is a live process of its own user: `postgres` when we are root (see embedded-postgres), else ours.
 */
function livingProcessPostgresMaySignal(): ChildProcess {
  const asPostgres = process.getuid?.() === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres'])), gid: Number(execFileSync('id', ['-g', 'postgres'])) } : {};
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { ...asPostgres, stdio: 'ignore' });
}

/** Starts PostgreSQL from a separate process and SIGKILLs that process, as when a terminal running `npm run dev` is killed. */
async function orphanPostgres(dataDir: string, port: number): Promise<number> {
  const child = await runUntilReady(`const { startEmbeddedPostgres } = await import('${SRC_DEV}embedded-postgres.ts'); await startEmbeddedPostgres({ dataDir: '${dataDir}', port: ${port} });`);
  child.kill('SIGKILL');
  await once(child, 'exit');
  return Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
}

async function runUntilReady(script: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `${script} console.log('ready');`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  assert.match(chunk.toString(), /ready/);
  return child;
}
