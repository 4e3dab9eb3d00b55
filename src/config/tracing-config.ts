import type { EnvVarName } from './env-schema.js';

/** The OTLP transports of the specification: over HTTP (a collector's port 4318) or gRPC (its port 4317). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Present only when tracing is on; everything else (sampler, headers, resource) the OpenTelemetry SDK reads from OTEL_* itself. */
export interface TracingConfig {
  protocol: OtlpProtocol;
}

/** On when an operator points the service at an OTLP endpoint, unless OTEL_SDK_DISABLED=true. */
export function deriveTracingConfig(values: Partial<Record<EnvVarName, unknown>>): TracingConfig | undefined {
  if (values.OTEL_SDK_DISABLED === true) return undefined;
  if (values.OTEL_EXPORTER_OTLP_ENDPOINT === undefined && values.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT === undefined) return undefined;
  const protocol = values.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? values.OTEL_EXPORTER_OTLP_PROTOCOL;
  return { protocol: (protocol as OtlpProtocol | undefined) ?? 'http/protobuf' };
}
