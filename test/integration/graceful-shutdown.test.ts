import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/cli-process.js';
import { CREATE, uploadInput } from '../support/operations.js';
import { postGraphQL, provisionInfra, serviceEnv, type TestInfra } from '../support/test-service.js';

describe('graceful shutdown of the real service process', () => {
  const teardown: (() => Promise<unknown>)[] = [];
  let infra: TestInfra;
  before(async () => {
    infra = await provisionInfra(teardown);
  });
  after(async () => {
    for (const step of teardown.reverse()) await step().catch(() => undefined);
  });

  test('SIGTERM during in-flight requests lets them finish, then the process exits 0 and takes no new ones', async () => {
    const env = { ...serviceEnv(infra.databaseUrl, infra.issuer.jwksUrl, infra.publicBucket, infra.privateBucket), PORT: '0', LOG_LEVEL: 'info' };
    const service = runCli(['serve'], env);
    await service.waitForOutput(/Server listening at (http:\/\/[^"]+)/);
    const url = /Server listening at (http:\/\/[^"]+)/.exec(service.stdout())![1]!;
    // The first verification fetches the JWKS: a slow issuer keeps these requests in flight across the SIGTERM.
    infra.issuer.jwksDelayMs = 800;
    const token = await infra.issuer.token({ sub: 'shutdown-owner' });
    const inFlight = Array.from({ length: 5 }, () => postGraphQL(url, CREATE, { input: uploadInput() }, token));
    await new Promise((resolve) => setTimeout(resolve, 200));
    service.child.kill('SIGTERM');

    const answers = await Promise.all(inFlight);
    for (const answer of answers) assert.equal(answer.data?.createAssetUpload?.status, 'PENDING', JSON.stringify(answer));
    assert.equal(await service.exitCode(), 0, service.stdout() + service.stderr());
    assert.match(service.stdout(), /shutting down/);
    assert.match(service.stdout(), /shutdown complete/);
    await assert.rejects(fetch(`${url}/health/live`));
  });
});
