import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { parseEnvVars } from '../../../src/config/config.js';
import { ENV_VARS, type EnvVarName } from '../../../src/config/env-schema.js';
import { deriveTracingConfig } from '../../../src/config/tracing-config.js';
import { createLogger } from '../../../src/observability/logger.js';
import { startTracing } from '../../../src/observability/tracing/tracing.js';
import { loadsPackage, runAndListModules } from '../../support/resolved-modules.js';

const OTEL_VARS = (Object.keys(ENV_VARS) as EnvVarName[]).filter((name) => name.startsWith('OTEL_'));

/** The tracing configuration these OTEL_* settings give, and the problems found in them. */
function tracingFrom(env: Record<string, string>) {
  const problems: string[] = [];
  const tracing = deriveTracingConfig(parseEnvVars(env, problems, OTEL_VARS));
  return { tracing, problems };
}

describe('tracing configuration from the standard OTEL_* variables', () => {
  test('is off without an OTLP endpoint, and then the OpenTelemetry SDK is never loaded', async () => {
    const { tracing, problems } = tracingFrom({ OTEL_SERVICE_NAME: 'assets', OTEL_TRACES_SAMPLER: 'always_on' });
    assert.deepEqual(problems, []);
    assert.equal(tracing, undefined);
    await (await startTracing(tracing, createLogger('silent'))).shutdown();
    const sdkModules = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('@opentelemetry/sdk-trace'));
    assert.deepEqual(sdkModules, []);
  });

  test('either OTLP endpoint turns it on, exporting OTLP/HTTP protobuf unless a protocol is named', () => {
    assert.deepEqual(tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing, { protocol: 'http/protobuf' });
    assert.deepEqual(tracingFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).tracing, { protocol: 'http/json' });
  });

  test('only the exporter of the configured transport is loaded', () => {
    const exportersLoadedFor = (protocol: string) => {
      const script = `const { startTracing } = await import('./src/observability/tracing/tracing.ts');
        const { createLogger } = await import('./src/observability/logger.ts');
        await (await startTracing({ protocol: '${protocol}' }, createLogger('silent'))).shutdown();`;
      const run = runAndListModules(['--input-type=module', '-e', script]);
      assert.equal(run.status, 0, run.stderr);
      return ['exporter-trace-otlp-http', 'exporter-trace-otlp-proto', 'exporter-trace-otlp-grpc'].filter((name) => loadsPackage(run.resolved, `@opentelemetry/${name}`));
    };
    assert.deepEqual(exportersLoadedFor('http/json'), ['exporter-trace-otlp-http']);
    assert.deepEqual(exportersLoadedFor('http/protobuf'), ['exporter-trace-otlp-proto']);
    assert.deepEqual(exportersLoadedFor('grpc'), ['exporter-trace-otlp-grpc']);
  });

  test('grpc is a transport as the specification names it', () => {
    assert.deepEqual(tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), { tracing: { protocol: 'grpc' }, problems: [] });
  });

  test('the traces protocol wins over the general one, as the OpenTelemetry specification orders them', () => {
    const { tracing } = tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' });
    assert.deepEqual(tracing, { protocol: 'http/json' });
  });

  test('OTEL_SDK_DISABLED=true keeps it off whatever else is set; an empty endpoint counts as unset', () => {
    assert.equal(tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing, undefined);
    assert.equal(tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).tracing, undefined);
  });

  test('malformed settings are configuration problems naming the variable and what it takes', () => {
    const { problems } = tracingFrom({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
    });
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(problems[0]!, /^OTEL_EXPORTER_OTLP_ENDPOINT must be a full http\(s\) URL/);
    assert.match(problems[1]!, /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be http\/protobuf, http\/json or grpc/);
    assert.match(problems[2]!, /^OTEL_TRACES_SAMPLER must be always_on, always_off, traceidratio/);
    assert.match(problems[3]!, /^OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/);
  });
});
