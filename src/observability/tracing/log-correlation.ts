import { trace } from '@opentelemetry/api';

/** pino mixin: each log line written inside a traced request carries its trace and span id, to jump from a log line to its trace. */
export function traceIdsOfActiveSpan(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
}
