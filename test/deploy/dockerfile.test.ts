import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { HEALTH_ROUTES, registerHealthRoutes } from '../../src/http/health.js';
import { readSettings, serviceNodeFlags } from '../../bench/settings.js';
import { argsOf, copySteps, execForm, imageNodeFlags, lastArgs, readDockerfile, runCommand, stageNamed } from './support/dockerfile.js';
import { defaultOf } from './support/env-vars.js';

const stages = readDockerfile('Dockerfile');
const runtime = stages.at(-1)!;
const fromContext = (stage = runtime) => copySteps(stage).filter((step) => step.from === undefined);

/** Runs the image's HEALTHCHECK command against a service whose checks pass or fail, as Docker would. */
async function healthcheckExitCode(healthy: boolean): Promise<number> {
  const app = Fastify();
  const check = async () => {
    if (!healthy) throw new Error('database down');
  };
  registerHealthRoutes(app, { database: check, storage: async () => undefined, issuerKeys: async () => undefined });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const [command = '', ...args] = execForm(lastArgs(runtime, 'HEALTHCHECK'));
  try {
    await promisify(execFile)(command, args, { env: { ...process.env, PORT: String((app.server.address() as AddressInfo).port) }, timeout: 10_000 });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  } finally {
    await app.close();
  }
}

describe('Dockerfile', () => {
  test('builds in a separate stage from a Node 20 image and ships production dependencies only', () => {
    assert.ok(stages.length >= 2, 'expected a multi-stage build');
    for (const stage of stages) assert.match(stage.image, /^node:20[.-]/);
    const build = stageNamed(stages, 'build');
    const buildCommands = argsOf(build, 'RUN').map(runCommand);
    assert.ok(buildCommands.some((c) => c.startsWith('npm ci')), 'the build stage does not install with npm ci');
    assert.ok(buildCommands.includes('npm run build'), 'the build stage does not run npm run build');
    const depsStage = copySteps(runtime).find((step) => step.sources.some((s) => s.endsWith('node_modules')))?.from;
    assert.ok(depsStage, 'the runtime stage copies no node_modules');
    const install = argsOf(stageNamed(stages, depsStage), 'RUN').map(runCommand).find((c) => c.startsWith('npm ci'));
    assert.match(install ?? '', /--omit=dev\b/);
  });

  test('the runtime stage gets the compiled dist/ and never src/, so the CLI runs the build and not tsx', () => {
    const sources = copySteps(runtime).flatMap((step) => step.sources);
    assert.ok(sources.some((s) => /(^|\/)dist\/?$/.test(s)), 'dist/ is not copied into the runtime stage');
    assert.deepEqual(sources.filter((s) => /(^|\/)src(\/|$)/.test(s)), []);
  });

  test('runs as a non-root numeric user', () => {
    const [user = ''] = lastArgs(runtime, 'USER').split(':');
    assert.match(user, /^\d+$/, 'a user name cannot be checked by Kubernetes runAsNonRoot');
    assert.notEqual(Number(user), 0);
  });

  test('exposes the default PORT of the service', () => {
    assert.deepEqual(argsOf(runtime, 'EXPOSE'), [defaultOf('PORT')]);
  });

  test('starts the CLI through an init process, serving by default and taking other commands', () => {
    const entrypoint = execForm(lastArgs(runtime, 'ENTRYPOINT'));
    assert.equal(entrypoint.at(-1), 'bin/neotool-assets.js');
    assert.ok(entrypoint.includes('node'));
    assert.match(entrypoint[0] ?? '', /tini$/, 'without an init process, Node as PID 1 ignores SIGTERM/SIGINT in every command but serve');
    assert.deepEqual(execForm(lastArgs(runtime, 'CMD')), ['serve']);
    assert.ok(existsSync('bin/neotool-assets.js'));
  });

  test('gives Node the same young generation as npm start, the one the benchmark measures', () => {
    const flags = imageNodeFlags();
    assert.deepEqual(flags, ['--max-semi-space-size=64']);
    const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start;
    assert.equal(start, `node --env-file-if-exists=.env ${flags.join(' ')} bin/neotool-assets.js serve`);
    assert.deepEqual(serviceNodeFlags(readSettings({}, 'bench/results')), flags);
  });

  test('the HEALTHCHECK asks /health, passing while the service can serve and failing when it cannot', async () => {
    assert.ok(execForm(lastArgs(runtime, 'HEALTHCHECK')).join(' ').includes(`'${HEALTH_ROUTES.health}'`));
    assert.equal(await healthcheckExitCode(true), 0);
    assert.equal(await healthcheckExitCode(false), 1);
  });

  test('.dockerignore lets into the build context exactly what the Dockerfile copies from it', () => {
    const rules = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    assert.equal(rules[0], '*', '.dockerignore must start by excluding everything');
    const allowed = rules.filter((r) => r.startsWith('!')).map((r) => r.slice(1)).sort();
    const copied = [...new Set(stages.flatMap((stage) => fromContext(stage).flatMap((step) => step.sources)))].map((s) => s.replace(/^\.\//, '').replace(/\/$/, '')).sort();
    assert.deepEqual(allowed, copied);
  });
});
