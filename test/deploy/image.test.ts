import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, startCli, type CliOptions } from '../support/cli-process.js';
import { infraEnv, ownInfra } from '../support/test-service.js';
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

/** Where `docker run neotool-assets <args>` starts the CLI: the image's copy, from its WORKDIR (with the image's ENV). */
const inImage = (): CliOptions => ({ cwd: image.workdir, bin: 'bin/neotool-assets.js' });

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
    const { code, stderr } = await runCli([], image.env, inImage());
    assert.equal(code, 0);
    assert.match(stderr, /Usage: neotool-assets <command>/);
    assert.match(stderr, /\bserve\b/);
  });

  test('loads the whole service and stops with the configuration problems, not a stack trace, when settings are missing', async () => {
    const { code, stderr } = await runCli(['serve'], image.env, inImage());
    assert.equal(code, 1);
    assert.match(stderr, /Invalid configuration/);
    assert.match(stderr, /STORAGE_HOSTNAME is required/);
    assert.doesNotMatch(stderr, /^\s+at /m);
  });

  test('serves /health against real PostgreSQL, storage and token issuer, then exits 0 on SIGTERM', async () => {
    const infra = await ownInfra();
    const service = startCli(['serve'], { ...image.env, ...infraEnv(infra), LOG_LEVEL: 'info' }, inImage());
    try {
      const url = await service.listening(60_000);
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200, await health.text());
      assert.equal(await service.terminate(), 0);
    } finally {
      service.child.kill('SIGKILL');
      await infra.release();
    }
  });
});
