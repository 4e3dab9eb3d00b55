import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capturedLogger } from '../../support/captured-logs.js';
import { loadsPackage, runAndListModules } from '../../support/resolved-modules.js';

test('the service logger censors tokens, secrets, passwords and presigned URLs wherever they are logged', () => {
  const { logger, text } = capturedLogger('info');
  logger.info({
    req: { headers: { authorization: 'Bearer eyJ.secret-token.sig', cookie: 'session=abc' } },
    asset: { uploadUrl: 'https://s3/x?X-Amz-Signature=deadbeef', downloadUrl: 'https://s3/y?X-Amz-Signature=cafe' },
    storage: { secret: 'TOPSECRET' },
    db: { password: 'hunter2' },
    call: { token: 'raw-token' },
    config: { storage: { secret: 'CONFIGSECRET' }, database: { connectionString: 'postgres://u:dbpass@db/x' }, redis: { url: 'redis://:redispass@r:6379' } },
  }, 'something happened');
  const out = text();
  for (const leaked of ['secret-token', 'session=abc', 'deadbeef', 'cafe', 'TOPSECRET', 'hunter2', 'raw-token', 'CONFIGSECRET', 'dbpass', 'redispass']) {
    assert.ok(!out.includes(leaked), `${leaked} leaked into ${out}`);
  }
  assert.equal((out.match(/\[redacted\]/g) ?? []).length, 10);
});

test('the service logger loads the OpenTelemetry API only when tracing is configured', () => {
  // That its lines then carry trace ids is checked end to end in test/integration/tracing.test.ts.
  const apiLoadedWith = (tracing: string) => {
    const script = `const { createServiceLogger } = await import('./src/observability/logger.ts'); await createServiceLogger({ logLevel: 'silent', tracing: ${tracing} });`;
    const run = runAndListModules(['--input-type=module', '-e', script]);
    assert.equal(run.status, 0, run.stderr);
    return loadsPackage(run.resolved, '@opentelemetry/api');
  };
  assert.equal(apiLoadedWith('undefined'), false);
  assert.equal(apiLoadedWith('{}'), true);
});

test('the composition root loads the OpenTelemetry API only for a replica with tracing on, not by being imported', () => {
  // With tracing on, startService imports the tracing hooks; test/integration/tracing.test.ts sees their spans.
  const run = runAndListModules(['--input-type=module', '-e', `await import('./src/app.ts');`]);
  assert.equal(run.status, 0, run.stderr);
  assert.ok(run.resolved.some((url) => url.endsWith('/src/app.ts')), 'the module list was not recorded');
  assert.equal(loadsPackage(run.resolved, '@opentelemetry/api'), false);
});
