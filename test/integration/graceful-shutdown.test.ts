import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCli } from '../support/cli-process.js';
import { CREATE, uploadInput } from '../support/operations.js';
import { infraEnv, ownInfra, postGraphQL } from '../support/test-service.js';

describe('graceful shutdown of the real service process', () => {
  let infra: Awaited<ReturnType<typeof ownInfra>>;
  before(async () => {
    infra = await ownInfra();
  });
  after(() => infra.release());

  test('SIGTERM during in-flight requests lets them finish, then the process exits 0 and takes no new ones', async () => {
    const env = { ...infraEnv(infra), PORT: '0', LOG_LEVEL: 'info' };
    const service = startCli(['serve'], env);
    const url = await service.listening();
    // The first verification fetches the JWKS: a slow issuer keeps these requests in flight across the SIGTERM.
    infra.issuer.jwksDelayMs = 800;
    const token = await infra.issuer.token({ sub: 'shutdown-owner' });
    const inFlight = Array.from({ length: 5 }, () => postGraphQL(url, CREATE, { input: uploadInput() }, token));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exited = service.terminate();

    const answers = await Promise.all(inFlight);
    for (const answer of answers) assert.equal(answer.data?.createAssetUpload?.status, 'PENDING', JSON.stringify(answer));
    assert.equal(await exited, 0, service.stdout() + service.stderr());
    assert.match(service.stdout(), /shutting down/);
    assert.match(service.stdout(), /shutdown complete/);
    await assert.rejects(fetch(`${url}/health/live`));
  });
});
