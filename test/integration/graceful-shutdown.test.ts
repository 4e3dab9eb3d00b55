import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { startCli } from '../support/cli-process.js';
import { eventually } from '../support/eventually.js';
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
    // The first verification fetches the JWKS: a slow issuer keeps these requests in flight across the SIGTERM.
    infra.issuer.jwksDelayMs = 3000;
    const fetchesBefore = infra.issuer.jwksRequests;
    const service = startCli(['serve'], env);
    const url = await service.listening();
    const token = await infra.issuer.token({ sub: 'shutdown-owner' });
    const inFlight = Array.from({ length: 5 }, () => postGraphQL(url, CREATE, { input: uploadInput() }, token));
    // Two fetches: the start-up check's (at listen) and the verifier's, which only a request makes: the requests,
    // sent together, are in the service then, waiting on the keys for up to 3 s.
    await eventually(() => infra.issuer.jwksRequests >= fetchesBefore + 2, 'the requests to wait on the issuer\'s keys');
    const exited = service.terminate();

    const answers = await Promise.all(inFlight);
    for (const answer of answers) assert.equal(answer.data?.createAssetUpload?.status, 'PENDING', JSON.stringify(answer));
    assert.equal(await exited, 0, service.stdout() + service.stderr());
    assert.match(service.stdout(), /shutting down/);
    assert.match(service.stdout(), /shutdown complete/);
    await assert.rejects(fetch(`${url}/health/live`));
  });
  afterEach(() => {
    infra.issuer.jwksDelayMs = 0;
  });
});
