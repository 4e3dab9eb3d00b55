// Tracing settings whose effect no other suite notices. The OpenTelemetry SDK reads OTEL_EXPORTER_OTLP_HEADERS,
// OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG itself, so a service that configured its exporter or
// sampler in code would silently drop them; OTEL_EXPORTER_OTLP_TRACES_PROTOCOL is the service's own choice
// of exporter, checked elsewhere only as configuration. Each test runs `neotool-assets serve` as operators do.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startCli, type CliProcess } from '../../support/cli-process.js';
import { CREATE, uploadInput } from '../../support/operations.js';
import { OtlpReceiver } from '../../support/otlp-receiver.js';
import { ownInfra, postGraphQL, serviceEnv } from '../../support/test-service.js';

describe('tracing settings of the real service process', () => {
  let infra: Awaited<ReturnType<typeof ownInfra>>;
  const started: CliProcess[] = [];

  /**
   * `serve` with tracing to a receiver of its own and the given OTEL_* settings, `drive` run against its URL,
   * then SIGTERM, which must exit 0 within 30 s (past the default SHUTDOWN_TIMEOUT_MS, 20 s): what the
   * receiver got by then, spans being exported when the process stops.
   * The process is killed at once if it does not listen within 30 s or does not exit in time, and otherwise by
   * the `after` hook below if a failed step left it running, so that no process holds the test file open.
   */
  async function exportsWith(
    otel: Record<string, string>,
    drive: (url: string) => Promise<void>,
  ): Promise<{ exports: OtlpReceiver['exports']; spans: OtlpReceiver['spans'] }> {
    const receiver = await new OtlpReceiver().start();
    try {
      const env = { ...serviceEnv(infra.databaseUrl, infra.issuer.jwksUrl, infra.publicBucket, infra.privateBucket), LOG_LEVEL: 'info', JOBS_ENABLED: 'false' };
      const service = startCli(['serve'], { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '600000', ...otel });
      started.push(service);
      const url = await service.listening(30_000).catch(async (error: unknown) => {
        await service.kill();
        throw error;
      });
      await drive(url);
      assert.equal(await service.terminate(30_000), 0, service.stdout() + service.stderr());
      return { exports: [...receiver.exports], spans: [...receiver.spans] };
    } finally {
      await receiver.stop();
    }
  }

  before(async () => {
    infra = await ownInfra();
  });
  after(async () => {
    await Promise.all(started.map((service) => service.kill()));
    await infra?.release();
  });

  // What runs a service is bounded as a whole too (a request to a service that hangs has no time limit of its
  // own); the `after` hook kills the process then.
  const BOUND = { timeout: 120_000 };

  describe('with OTEL_EXPORTER_OTLP_HEADERS, and OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json over OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf', () => {
    let exports: OtlpReceiver['exports'];
    before(async () => {
      ({ exports } = await exportsWith(
        {
          OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=settings-key-1,x-tenant=assets',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        },
        async (url) => {
          await postGraphQL(url, CREATE, { input: uploadInput() }, await infra.issuer.token({ sub: 'headers-owner' }));
        },
      ));
    }, BOUND);

    test('every export carries the headers of OTEL_EXPORTER_OTLP_HEADERS', () => {
      assert.ok(exports.length > 0, 'nothing was exported');
      for (const e of exports) assert.deepEqual([e.headers['x-collector-key'], e.headers['x-tenant']], ['settings-key-1', 'assets']);
    });

    test('spans go out as OTLP/HTTP JSON, the traces protocol winning over the general one', () => {
      for (const e of exports) assert.match(e.headers['content-type'] ?? '', /^application\/json/);
      assert.ok(exports.some((e) => e.body.includes('mutation createAssetUpload')), 'the operation span was exported');
    });
  });

  test('OTEL_TRACES_SAMPLER=parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0 keeps no trace of its own, only those a caller sampled', BOUND, async () => {
    const caller = randomBytes(16).toString('hex');
    const { spans } = await exportsWith(
      {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0',
      },
      async (url) => {
        const token = await infra.issuer.token({ sub: 'sampled-owner' });
        for (let i = 0; i < 3; i++) await postGraphQL(url, CREATE, { input: uploadInput() }, token);
        const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent: `00-${caller}-${randomBytes(8).toString('hex')}-01` };
        const sampled = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: CREATE, variables: { input: uploadInput() } }) });
        assert.equal(sampled.status, 200);
      },
    );
    const traceIds = spans.map((span) => span.traceId);
    assert.ok(traceIds.includes(caller), 'the request a caller sampled was not traced');
    assert.deepEqual([...new Set(traceIds)], [caller], 'requests without a sampled parent were traced');
  });
});
