// The orphan sweep lists and deletes through a storage client of its own, without the circuit breaker
// that guards uploads: sweeps failing while storage is unreachable must not leave uploads failing fast
// once it is back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../support/eventually.js';
import { CONFIRM, CREATE, uploadInput, uploadTo } from '../../support/operations.js';
import { startServiceBehindProxies } from '../../support/proxied-service.js';
import type { TcpProxy } from '../../support/tcp-proxy.js';
import type { TestService } from '../../support/test-service.js';

const SWEEP = 'sweep-orphaned-objects';

describe('the orphan sweep and the circuit breaker of uploads', () => {
  let svc: TestService;
  let storage: TcpProxy;
  let stop: (() => Promise<void>) | undefined;

  before(async () => {
    const jobs = { JOB_ORPHAN_INTERVAL_SECONDS: '1', JOB_EXPIRE_INTERVAL_SECONDS: '3600', JOB_PURGE_INTERVAL_SECONDS: '3600' };
    // Once open, the uploads' breaker would stay open for the rest of the test.
    const breaker = { STORAGE_CIRCUIT_RESET_MS: '600000', STORAGE_TIMEOUT_MS: '1000' };
    ({ svc, proxies: { storage }, stop } = await startServiceBehindProxies(['storage'], { ...jobs, ...breaker }));
  });
  after(() => stop?.());

  test('sweeps failing against unreachable storage leave the breaker closed: a confirm works as soon as storage is back', async () => {
    const token = await svc.token('sweep-owner');
    const asset = (await svc.gql(CREATE, { input: uploadInput() }, token)).data!.createAssetUpload;
    assert.equal((await uploadTo(asset, 'hello world')).status, 200);

    await storage.cut();
    const failedSweeps = () => svc.running.jobs.stats.of(SWEEP).failedRuns;
    const failedBefore = failedSweeps();
    // Enough failed listings to open a breaker they went through: 5 (its volumeThreshold) in one of
    // opossum's 10 s rolling windows. Six could spread past one window on a slow machine and prove
    // nothing; ten, one sweep a second (refused connections fail at once), span well under 20 s, so
    // some 10 s window surely holds at least five of them.
    await eventually(failedSweeps, 'ten sweeps to fail', { until: (n) => n >= failedBefore + 10, timeoutMs: 30_000 });
    await storage.restore();

    const confirmed = await svc.gql(CONFIRM, { id: asset.id }, token);
    assert.equal(confirmed.data?.confirmAssetUpload.status, 'READY', JSON.stringify(confirmed.errors));
  });
});
