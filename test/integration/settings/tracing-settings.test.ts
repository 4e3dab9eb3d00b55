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
   * `serve` with tracing to `endpoint` and the given OTEL_* settings; spans are exported when it stops. The
   * process is killed at once if it does not listen within 30 s, and otherwise by the `after` hook below if a
   * failed step left it running, so that no process holds the test file open.
   */
  async function serve(endpoint: string, otel: Record<string, string>): Promise<{ service: CliProcess; url: string }> {
    const env = { ...serviceEnv(infra.databaseUrl, infra.issuer.jwksUrl, infra.publicBucket, infra.privateBucket), LOG_LEVEL: 'info', JOBS_ENABLED: 'false' };
    const service = startCli(['serve'], { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '600000', ...otel });
    started.push(service);
    try {
      return { service, url: await service.listening(30_000) };
    } catch (error) {
      await kill(service);
      throw error;
    }
  }

  /** SIGTERM: the process must exit 0, within 30 s (past the default SHUTDOWN_TIMEOUT_MS, 20 s); SIGKILLed otherwise. */
  async function terminate(service: CliProcess): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        service.child.kill('SIGKILL');
        reject(new Error(`still running 30 s after SIGTERM; stdout: ${service.stdout()}\nstderr: ${service.stderr()}`));
      }, 30_000);
    });
    try {
      assert.equal(await Promise.race([service.terminate(), hung]), 0, service.stdout() + service.stderr());
    } finally {
      clearTimeout(timer);
    }
  }

  async function kill(service: CliProcess): Promise<void> {
    if (service.child.exitCode !== null || service.child.signalCode !== null) return;
    service.child.kill('SIGKILL');
    await service.exitCode();
  }

  before(async () => {
    infra = await ownInfra();
  });
  after(async () => {
    await Promise.all(started.map(kill));
    await infra?.release();
  });

  // What runs a service is bounded as a whole too (a request to a service that hangs has no time limit of its
  // own); the `after` hook kills the process then.
  const BOUND = { timeout: 120_000 };

  describe('with OTEL_EXPORTER_OTLP_HEADERS, and OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json over OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf', () => {
    let exports: OtlpReceiver['exports'];
    before(async () => {
      const receiver = await new OtlpReceiver().start();
      try {
        const { service, url } = await serve(receiver.endpoint, {
          OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=settings-key-1,x-tenant=assets',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        });
        await postGraphQL(url, CREATE, { input: uploadInput() }, await infra.issuer.token({ sub: 'headers-owner' }));
        await terminate(service);
        exports = [...receiver.exports];
      } finally {
        await receiver.stop();
      }
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
    const receiver = await new OtlpReceiver().start();
    try {
      const { service, url } = await serve(receiver.endpoint, {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0',
      });
      const token = await infra.issuer.token({ sub: 'sampled-owner' });
      for (let i = 0; i < 3; i++) await postGraphQL(url, CREATE, { input: uploadInput() }, token);
      const caller = randomBytes(16).toString('hex');
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent: `00-${caller}-${randomBytes(8).toString('hex')}-01` };
      const sampled = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: CREATE, variables: { input: uploadInput() } }) });
      assert.equal(sampled.status, 200);
      await terminate(service);
      const traceIds = receiver.spans.map((span) => span.traceId);
      assert.ok(traceIds.includes(caller), 'the request a caller sampled was not traced');
      assert.deepEqual([...new Set(traceIds)], [caller], 'requests without a sampled parent were traced');
    } finally {
      await receiver.stop();
    }
  });
});
