import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { runCli, startCli, type CliProcess } from '../support/cli-process.js';
import { CONFIRM, CREATE, GET, uploadInput, uploadTo } from '../support/operations.js';
import { OtlpGrpcReceiver } from '../support/otlp-grpc-receiver.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { infraEnv, ownInfra, postGraphQL } from '../support/test-service.js';

const SPAN_KIND_SERVER = 2;

type Infra = Awaited<ReturnType<typeof ownInfra>>;

/** Every service started here: one a failed test left running is killed after the suite. */
const started: CliProcess[] = [];

/** `neotool-assets serve` as operators start it, with the given OTEL_* settings on top of a working configuration. */
async function serve(infra: Infra, otel: Record<string, string>): Promise<{ process: CliProcess; url: string }> {
  const env = { ...infraEnv(infra), LOG_LEVEL: 'info', JOBS_ENABLED: 'false', ...otel };
  const service = startCli(['serve'], env);
  started.push(service);
  return { process: service, url: await service.listening() };
}

/** SIGTERM, as Kubernetes stops a pod; the process must exit 0 after flushing what it buffered. */
async function terminate(service: CliProcess): Promise<void> {
  assert.equal(await service.terminate(), 0, service.stdout() + service.stderr());
}

async function postWithTraceparent(url: string, token: string, traceparent: string, query: string, variables: Record<string, unknown>): Promise<void> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent };
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  assert.equal(res.status, 200, await res.text());
}

const isPostgres = (span: ReceivedSpan) => span.attributes['db.system'] === 'postgresql' || span.attributes['db.system.name'] === 'postgresql';

describe('OpenTelemetry tracing of the real service process', () => {
  let infra: Infra;
  before(async () => {
    infra = await ownInfra();
  });
  after(async () => {
    await Promise.all(started.map((service) => service.kill()));
    await infra.release();
  });

  describe('with OTEL_EXPORTER_OTLP_ENDPOINT set (OTLP/HTTP JSON), after an upload flow and a SIGTERM', () => {
    const receiver = new OtlpReceiver();
    const caller = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
    let stdout: string;
    let assetId: string;

    before(async () => {
      await receiver.start();
      // A long export delay: every span reaching the receiver below was flushed by the graceful shutdown.
      const { process: service, url } = await serve(infra, {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=tracing-test',
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      });
      const token = await infra.issuer.token({ sub: 'traced-owner' });
      const created = await postGraphQL(url, CREATE, { input: uploadInput() }, token);
      assetId = created.data!.createAssetUpload.id;
      assert.equal((await uploadTo(created.data!.createAssetUpload, 'hello world')).status, 200);
      assert.equal((await postGraphQL(url, CONFIRM, { id: assetId }, token)).data?.confirmAssetUpload?.status, 'READY');
      await postWithTraceparent(url, token, `00-${caller.traceId}-${caller.spanId}-01`, GET, { id: assetId });
      assert.equal(receiver.spans.length, 0, 'spans are still buffered before the shutdown');
      await terminate(service);
      stdout = service.stdout();
    });
    after(() => receiver.stop());

    const operation = (name: string) => {
      const span = receiver.spans.find((s) => s.name === name);
      assert.ok(span, `no span "${name}"; received: ${receiver.spans.map((s) => s.name).join(', ')}`);
      return span;
    };
    const sameTrace = (span: ReceivedSpan) => receiver.spans.filter((s) => s.traceId === span.traceId);

    test('each GraphQL request is a server span named after its operation, exported with service.name neotool-assets and OTEL_RESOURCE_ATTRIBUTES', () => {
      const create = operation('mutation createAssetUpload');
      assert.equal(create.kind, SPAN_KIND_SERVER);
      assert.equal(create.attributes['graphql.operation.type'], 'mutation');
      assert.equal(create.attributes['graphql.operation.name'], 'createAssetUpload');
      assert.equal(create.attributes['http.route'], '/graphql');
      for (const span of receiver.spans) {
        assert.equal(span.resource['service.name'], 'neotool-assets');
        assert.equal(span.resource['deployment.environment.name'], 'tracing-test');
      }
    });

    test('the PostgreSQL queries of createAssetUpload belong to its trace', () => {
      const create = operation('mutation createAssetUpload');
      const queries = sameTrace(create).filter(isPostgres);
      assert.ok(queries.length > 0, `no PostgreSQL span in the trace: ${sameTrace(create).map((s) => s.name).join(', ')}`);
      assert.ok(queries.some((q) => /INSERT/i.test(String(q.attributes['db.statement'] ?? q.attributes['db.query.text']))), 'the INSERT of the asset is traced');
    });

    test('confirmAssetUpload traces its S3 GetObject call, with the bucket, and the HTTP request to storage under it', () => {
      const confirm = operation('mutation confirmAssetUpload');
      const trace = sameTrace(confirm);
      const getObject = trace.find((s) => s.name === 'S3 GetObject');
      assert.ok(getObject, `no S3 span in the trace: ${trace.map((s) => s.name).join(', ')}`);
      assert.equal(getObject.attributes['rpc.service'], 'S3');
      assert.equal(getObject.attributes['aws.s3.bucket'], infra.privateBucket);
      assert.ok(trace.some((s) => s.parentSpanId === getObject.spanId), 'the HTTP request to storage is a child of the S3 span');
      assert.ok(trace.some(isPostgres), 'confirm also reads and updates the row');
    });

    test('an incoming traceparent is continued: the request joins the caller trace as a child of the caller span', () => {
      const get = operation('query asset');
      assert.equal(get.traceId, caller.traceId);
      assert.equal(get.parentSpanId, caller.spanId);
      assert.ok(sameTrace(get).some(isPostgres), 'its query runs in the caller trace too');
    });

    test('log lines written during a traced request carry its trace_id', () => {
      const create = operation('mutation createAssetUpload');
      const audit = stdout
        .split('\n')
        .filter((line) => line.includes('"asset.created"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(audit.length, 1, stdout);
      assert.equal(audit[0]!.trace_id, create.traceId);
    });
  });

  test('each background job run is a trace of its own, with its storage calls and queries inside and its counts on it', async () => {
    const receiver = await new OtlpReceiver().start();
    try {
      const every = { JOB_ORPHAN_INTERVAL_SECONDS: '1', JOB_EXPIRE_INTERVAL_SECONDS: '1', JOB_PURGE_INTERVAL_SECONDS: '1' };
      const { process: service } = await serve(infra, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100', JOBS_ENABLED: 'true', ...every });
      const sweep = await receiver.waitForSpan((s) => s.name === 'job sweep-orphaned-objects');
      const expire = await receiver.waitForSpan((s) => s.name === 'job expire-stale-uploads');
      await receiver.waitForSpan((s) => s.traceId === expire.traceId && isPostgres(s));
      await terminate(service);
      for (const run of [sweep, expire]) {
        assert.equal(run.parentSpanId || undefined, undefined, `${run.name} starts its own trace`);
        assert.equal(typeof run.attributes['job.processed'], 'number');
      }
      assert.equal(sweep.attributes['job.name'], 'sweep-orphaned-objects');
      const listings = receiver.spans.filter((s) => s.traceId === sweep.traceId && s.name === 'S3 ListObjectsV2');
      assert.deepEqual(listings.map((s) => s.parentSpanId), [sweep.spanId, sweep.spanId], 'both buckets listed within the run');
      assert.ok(receiver.spans.some((s) => s.traceId === expire.traceId && isPostgres(s) && s.parentSpanId === expire.spanId), 'the expiry query belongs to the run');
    } finally {
      await receiver.stop();
    }
  });

  test('without OTEL_EXPORTER_OTLP_PROTOCOL spans go out as OTLP/HTTP protobuf, the standard default', async () => {
    const receiver = await new OtlpReceiver().start();
    try {
      const { process: service, url } = await serve(infra, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`, OTEL_SERVICE_NAME: 'assets-protobuf' });
      await postGraphQL(url, CREATE, { input: uploadInput() }, await infra.issuer.token({ sub: 'protobuf-owner' }));
      await terminate(service);
      const body = Buffer.concat(receiver.exports.filter((e) => e.contentType === 'application/x-protobuf').map((e) => e.body));
      assert.ok(body.includes('assets-protobuf'), 'OTEL_SERVICE_NAME is the exported service name');
      assert.ok(body.includes('mutation createAssetUpload'), 'the operation span was exported');
    } finally {
      await receiver.stop();
    }
  });

  test('with OTEL_EXPORTER_OTLP_PROTOCOL=grpc spans go to an OTLP/gRPC receiver at the endpoint as given', async () => {
    const receiver = await new OtlpGrpcReceiver().start();
    try {
      const { process: service, url } = await serve(infra, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_SERVICE_NAME: 'assets-grpc' });
      await postGraphQL(url, CREATE, { input: uploadInput() }, await infra.issuer.token({ sub: 'grpc-owner' }));
      await terminate(service);
      const body = Buffer.concat(receiver.exports);
      assert.ok(body.includes('assets-grpc'), 'OTEL_SERVICE_NAME is the exported service name');
      assert.ok(body.includes('mutation createAssetUpload'), 'the operation span was exported');
    } finally {
      receiver.stop();
    }
  });

  test('OTEL_SDK_DISABLED=true keeps tracing off even with an endpoint set: nothing is exported', async () => {
    const receiver = await new OtlpReceiver().start();
    try {
      const { process: service, url } = await serve(infra, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SDK_DISABLED: 'true' });
      await postGraphQL(url, CREATE, { input: uploadInput() }, await infra.issuer.token({ sub: 'untraced-owner' }));
      await terminate(service);
      assert.deepEqual(receiver.exports, []);
      assert.doesNotMatch(service.stdout(), /trace_id/);
    } finally {
      await receiver.stop();
    }
  });

  test('spans the collector does not take are reported in the service log, and shutdown still exits 0', async () => {
    const closed = new OtlpReceiver();
    await closed.start();
    const endpoint = closed.endpoint;
    await closed.stop();
    const { process: service, url } = await serve(infra, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '600000', OTEL_EXPORTER_OTLP_TIMEOUT: '2000' });
    const token = await infra.issuer.token({ sub: 'traced-into-the-void' });
    await postGraphQL(url, CREATE, { input: uploadInput() }, token);
    await terminate(service);
    assert.match(service.stdout(), /"level":40[^\n]*"msg":"OpenTelemetry: [^"]*(export|ECONNREFUSED)/i, service.stdout());
  });

  test('a malformed OTLP endpoint stops the start with a message naming the variable and the fix', async () => {
    const env = { ...infraEnv(infra), OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318' };
    const result = await runCli(['serve'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /OTEL_EXPORTER_OTLP_ENDPOINT must be a full http\(s\) URL such as http:\/\/otel-collector:4318/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  // Settings no other test notices: the OpenTelemetry SDK reads OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER and
  // OTEL_TRACES_SAMPLER_ARG itself, so a service that configured its exporter or sampler in code would silently
  // drop them; OTEL_EXPORTER_OTLP_TRACES_PROTOCOL is the service's own choice of exporter.
  describe('tracing settings', () => {
    /**
     * `serve` with tracing to a receiver of its own and the given OTEL_* settings, `drive` run against its URL,
     * then SIGTERM, which must exit 0 within 30 s (past the default SHUTDOWN_TIMEOUT_MS, 20 s): what the
     * receiver got by then, spans being exported when the process stops.
     */
    async function exportsWith(
      otel: Record<string, string>,
      drive: (url: string) => Promise<void>,
    ): Promise<{ exports: OtlpReceiver['exports']; spans: OtlpReceiver['spans'] }> {
      const receiver = await new OtlpReceiver().start();
      try {
        const { process: service, url } = await serve(infra, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '600000', ...otel });
        await drive(url);
        assert.equal(await service.terminate(30_000), 0, service.stdout() + service.stderr());
        return { exports: [...receiver.exports], spans: [...receiver.spans] };
      } finally {
        await receiver.stop();
      }
    }

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
          await postWithTraceparent(url, token, `00-${caller}-${randomBytes(8).toString('hex')}-01`, CREATE, { input: uploadInput() });
        },
      );
      const traceIds = spans.map((span) => span.traceId);
      assert.ok(traceIds.includes(caller), 'the request a caller sampled was not traced');
      assert.deepEqual([...new Set(traceIds)], [caller], 'requests without a sampled parent were traced');
    });
  });
});
