// Storage settings whose effect on the running service no other suite notices: every other suite runs
// with STORAGE_REGION and STORAGE_PUBLIC_BASE_PATH at values the service would pick anyway, and none keeps
// the circuit breaker open long enough for STORAGE_CIRCUIT_RESET_MS to matter, nor tells STORAGE_TIMEOUT_MS from
// its default.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../support/eventually.js';
import { fixture } from '../../support/fixtures.js';
import { createUpload, readyAsset, uploadedAsset } from '../../support/flows.js';
import { s3Endpoint } from '../../support/infra.js';
import { CONFIRM, GET, GET_DOWNLOAD, uploadInput } from '../../support/operations.js';
import { startServiceBehindProxies } from '../../support/proxied-service.js';
import type { TcpProxy } from '../../support/tcp-proxy.js';
import { ownInfra, startTestService, type TestService } from '../../support/test-service.js';
import { fixtureInput } from '../../support/uploads.js';

/** A CDN in front of the public bucket, as STORAGE_PUBLIC_BASE_PATH is meant for: GET <base>/<key> is served from the bucket. */
async function cdnFor(bucket: string): Promise<{ base: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const key = (req.url ?? '').replace(/^\/edge\//, '');
    fetch(`${s3Endpoint().origin}/${bucket}/${key}`)
      .then(async (origin) => res.writeHead(origin.status, { 'content-type': origin.headers.get('content-type') ?? 'application/octet-stream' }).end(Buffer.from(await origin.arrayBuffer())))
      .catch(() => res.writeHead(502).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/edge`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// One database, bucket pair and issuer for both services of this file, each started after the other stopped.
let infra: Awaited<ReturnType<typeof ownInfra>>;
before(async () => {
  infra = await ownInfra();
});
after(() => infra?.release());

describe('STORAGE_REGION and STORAGE_PUBLIC_BASE_PATH on the running service', () => {
  const REGION = 'eu-settings-1';
  let cdn: Awaited<ReturnType<typeof cdnFor>>;
  let svc: TestService;
  let token: string;
  before(async () => {
    cdn = await cdnFor(infra.publicBucket);
    // The test gateway accepts signatures of any region, so the service works with one other than the default.
    svc = await startTestService({ STORAGE_REGION: REGION, STORAGE_PUBLIC_BASE_PATH: cdn.base }, { shareWith: infra });
    token = await svc.token('settings-owner');
  });
  after(async () => {
    await svc?.stop();
    await cdn?.close();
  });

  test('upload and download URLs are signed for STORAGE_REGION, and assets record it as their storageRegion', async () => {
    const asset = await readyAsset(svc, token, uploadInput(), 'hello world');
    assert.equal(asset.storageRegion, REGION);
    const created = await createUpload(svc, token, uploadInput());
    assert.match(new URL(created.uploadUrl).searchParams.get('X-Amz-Credential') ?? '', new RegExp(`/${REGION}/s3/aws4_request$`));
    const download = (await svc.gql(GET_DOWNLOAD, { id: asset.id, ttl: 60 }, token)).data!.asset.downloadUrl as string;
    assert.match(new URL(download).searchParams.get('X-Amz-Credential') ?? '', new RegExp(`/${REGION}/s3/aws4_request$`));
    const res = await fetch(download);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello world');
  });

  test('a PUBLIC asset is served at STORAGE_PUBLIC_BASE_PATH followed by its key, not at the bucket on the storage endpoint', async () => {
    const asset = await readyAsset(svc, token, fixtureInput('image.png', 'group-assets', 'image/png'), fixture('image.png'));
    const { publicUrl } = (await svc.gql(GET, { id: asset.id }, token)).data!.asset;
    assert.equal(publicUrl, `${cdn.base}/${asset.storageKey}`);
    const res = await fetch(publicUrl);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), fixture('image.png'));
    assert.deepEqual(cdn.requests, [`/edge/${asset.storageKey}`]);
  });
});

describe('STORAGE_TIMEOUT_MS and STORAGE_CIRCUIT_RESET_MS', () => {
  // Long enough for the calls that must succeed (the confirms, the service's start) on a loaded machine, short
  // enough that a hung call tried twice (about 2 s) ends well before the default's two attempts (10 s) would.
  const TIMEOUT_MS = 1000;
  // Long enough that a loaded machine still sees the breaker open after storage is restored (a pause longer
  // than this between the opening and that check would let a trial call through), and far from the 10 s default.
  const RESET_MS = 3000;
  let svc: TestService;
  let storage: TcpProxy;
  let stop: (() => Promise<void>) | undefined;
  before(async () => {
    ({ svc, proxies: { storage }, stop } = await startServiceBehindProxies(['storage'], { STORAGE_CIRCUIT_RESET_MS: String(RESET_MS), STORAGE_TIMEOUT_MS: String(TIMEOUT_MS) }, { shareWith: infra }));
  });
  after(() => stop?.());

  test('with storage hung (connections open, nothing answered), confirm gives up after the configured timeout, tried twice, not the 5 s default', async () => {
    const token = await svc.token('timeout-owner');
    const asset = await uploadedAsset(svc, token, uploadInput(), 'hello world');
    storage.stall();
    const started = Date.now();
    const failed = await svc.gql(CONFIRM, { id: asset.id }, token).finally(() => storage.resume());
    const took = Date.now() - started;
    assert.equal(failed.errors?.[0]?.extensions.code, 'STORAGE_UNAVAILABLE', JSON.stringify(failed));
    // Two attempts of TIMEOUT_MS each: about 2 s, plus the SDK's retry delay. With the setting ignored each
    // attempt waits the default 5 s, both at least 10 s, so anything under 9 s is the setting at work, and a
    // loaded machine still has about 7 s of slack.
    assert.ok(took >= TIMEOUT_MS && took < 9000, `confirm failed ${took} ms after it was sent`);
    const confirmed = await svc.gql(CONFIRM, { id: asset.id }, token);
    assert.equal(confirmed.data?.confirmAssetUpload?.status, 'READY', JSON.stringify(confirmed.errors));
  });

  test('once storage was found unreachable, calls fail fast for the configured time even with storage back, then work again', async () => {
    const token = await svc.token('breaker-owner');
    const asset = await uploadedAsset(svc, token, uploadInput(), 'hello world');
    const confirmError = async () => (await svc.gql(CONFIRM, { id: asset.id }, token)).errors?.[0]?.message ?? '';

    // How long the breaker stayed open is counted from a moment surely before it opened: when the last confirm
    // before the first CircuitOpen answer was sent (a confirm sent while the breaker is open is refused, so it
    // opened after that), or just before the cut when the very first confirm was refused. Counting from when the
    // CircuitOpen answer arrived would start after the opening, and make a correct breaker look early whenever
    // that answer was slow.
    let sent = Date.now();
    let openedAtTheEarliest = sent;
    const probe = () => {
      openedAtTheEarliest = sent;
      sent = Date.now();
      return confirmError();
    };
    await storage.cut();
    // Failed calls until the breaker opens: the API then names it (CircuitOpen) instead of the refused connection.
    await eventually(probe, 'the circuit breaker to open', { until: (m) => /CircuitOpen/.test(m), timeoutMs: 20_000, intervalMs: 10 });
    await storage.restore();
    assert.match(await confirmError(), /CircuitOpen/, 'with storage back, calls still fail fast until the reset time has passed');

    // With the setting ignored, the default reset time (10 s) outlasts this wait (6 s), which starts a few
    // calls after the opening.
    await eventually(async () => (await svc.gql(CONFIRM, { id: asset.id }, token)).data?.confirmAssetUpload?.status, 'a confirm to get through', {
      until: (status) => status === 'READY',
      timeoutMs: RESET_MS + 3000,
      intervalMs: 200,
    });
    // 50 ms for the breaker's timer and this process's clock to disagree; a breaker that let calls through early
    // (a confirm READY sooner than RESET_MS after the opening) still fails this.
    const openFor = Date.now() - openedAtTheEarliest;
    assert.ok(openFor >= RESET_MS - 50, `the breaker let calls through at most ${openFor} ms after opening`);
  });
});
