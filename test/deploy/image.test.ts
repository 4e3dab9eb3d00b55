import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminS3, createBuckets, createDatabase, deleteBuckets, uniqueName } from '../support/infra.js';
import { serviceEnv } from '../support/test-service.js';
import { readDockerfile } from './support/dockerfile.js';
import { replayDockerfile, type ReplayedImage } from './support/image-replay.js';

/**
 * The image without Docker: the Dockerfile's stages replayed into folders (its COPY steps and npm
 * commands, as written), then the CLI started from the runtime stage's WORKDIR with only its ENV, the way
 * `docker run neotool-assets` would. Catches a missing file (package.json, migrations, namespaces file), a
 * dependency that is only a devDependency, and an image that would run src/ through tsx.
 */
let scratch: string;
let image: ReplayedImage;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['bin/neotool-assets.js', ...args], {
    cwd: image.workdir,
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...image.env, ...env },
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (run.stdout += chunk));
  child.stderr.on('data', (chunk) => (run.stderr += chunk));
  const exited = new Promise<Run>((resolve) => child.once('exit', (code) => resolve({ ...run, code })));
  return { child, run, exited };
}

async function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return startCli(args, env).exited;
}

/** The URL the service logged once it listens (pino JSON lines on stdout). */
async function listeningUrl(run: Run, exited: Promise<Run>): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout)?.[1];
    if (url) return url;
    const ended = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
    if (ended) assert.fail(`the service exited before listening: ${run.stderr}${run.stdout}`);
  }
  return assert.fail(`the service did not start within 60 s: ${run.stderr}${run.stdout}`);
}

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'neotool-image-'));
  image = await replayDockerfile(readDockerfile('Dockerfile'), process.cwd(), scratch);
});

after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the image built from the Dockerfile', { timeout: 300_000 }, () => {
  test('holds the compiled service, its migrations and the namespaces file, but no TypeScript sources', () => {
    assert.equal(existsSync(path.join(image.workdir, 'src')), false);
    assert.ok(existsSync(path.join(image.workdir, 'dist/cli/main.js')));
    assert.ok(readdirSync(path.join(image.workdir, 'dist/db/migrations')).some((file) => file.endsWith('.sql')));
    assert.ok(existsSync(path.join(image.workdir, 'config/namespaces.yaml')));
  });

  test('has no development-only packages installed', () => {
    for (const devOnly of ['typescript', '@types/node', 'fast-check']) assert.equal(existsSync(path.join(image.workdir, 'node_modules', devOnly)), false, `${devOnly} is in the image`);
  });

  test('prints the CLI usage when run without a command', async () => {
    const { code, stderr } = await runCli([]);
    assert.equal(code, 0);
    assert.match(stderr, /Usage: neotool-assets <command>/);
    assert.match(stderr, /\bserve\b/);
  });

  test('loads the whole service and stops with the configuration problems, not a stack trace, when settings are missing', async () => {
    const { code, stderr } = await runCli(['serve']);
    assert.equal(code, 1);
    assert.match(stderr, /Invalid configuration/);
    assert.match(stderr, /STORAGE_HOSTNAME is required/);
    assert.doesNotMatch(stderr, /^\s+at /m);
  });

  test('serves /health against real PostgreSQL and storage, then exits 0 on SIGTERM', async () => {
    const s3 = adminS3();
    const database = await createDatabase();
    const [publicBucket, privateBucket] = [uniqueName('img-pub'), uniqueName('img-priv')];
    await createBuckets(s3, publicBucket, privateBucket);
    const service = startCli(['serve'], { ...serviceEnv(database.url, 'http://127.0.0.1:9/.well-known/jwks.json', publicBucket, privateBucket), LOG_LEVEL: 'info' });
    try {
      const url = await listeningUrl(service.run, service.exited);
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200, await health.text());
      service.child.kill('SIGTERM');
      assert.equal((await service.exited).code, 0);
    } finally {
      service.child.kill('SIGKILL');
      await deleteBuckets(s3, publicBucket, privateBucket);
      await database.drop();
      s3.destroy();
    }
  });
});
