// The only module that loads the OpenTelemetry SDK: imported on demand, and only when tracing is configured.
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Logger } from 'pino';
import type { OtlpProtocol, TracingConfig } from '../../config/tracing-config.js';
import type { Tracing } from './tracing.js';

const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Starts the SDK: sampler, exporter endpoint, headers and resource attributes come from the standard
 * OTEL_* variables, read by the SDK itself. Must run before pg and the HTTP stack are imported, so the
 * instrumentations can patch them as they load. No ESM loader hook is needed although the service is
 * ESM: the instrumentations patch what is loaded with require underneath (pg/lib/client.js, pg-pool,
 * node:http as Fastify requires it); the tracing test proves it on the real start path.
 */
export async function startTracingSdk(config: TracingConfig, logger: Logger): Promise<Tracing> {
  // The SDK reports failed exports (collector down, spans refused) through diag: into the service's log.
  diag.setLogger(warningsInto(logger), DiagLogLevel.WARN);
  const provider = new NodeTracerProvider({
    resource: serviceResource(),
    spanProcessors: [new BatchSpanProcessor(await exporterFor(config.protocol))],
  });
  // Registers the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Probes and scrapes come every few seconds and tell nothing a trace would.
      new HttpInstrumentation({ requireParentforOutgoingSpans: true, ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? '') }),
      // Like storage calls, queries are traced within requests only: each background job query would be a trace of its own.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  // Spans that cannot be delivered are lost, but they must not turn a clean shutdown into a failed one.
  const shutdown = () => provider.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'OpenTelemetry: the last spans could not be exported at shutdown'));
  return { shutdown };
}

/** `neotool-assets` unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise. */
function serviceResource() {
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'neotool-assets' }))
    .merge(detectResources({ detectors: [envDetector] }));
}

/** Only the exporter of the configured transport is loaded (the gRPC one brings grpc-js). */
async function exporterFor(protocol: OtlpProtocol) {
  switch (protocol) {
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  }
}

function warningsInto(logger: Logger): DiagLogger {
  const warn = (message: string, ...details: unknown[]) => logger.warn({ details: details.map(String) }, `OpenTelemetry: ${message}`);
  const ignore = () => undefined;
  return { error: warn, warn, info: ignore, debug: ignore, verbose: ignore };
}
