import type { S3Client } from '@aws-sdk/client-s3';
import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { errorName } from '../../storage/storage-errors.js';

const tracer = trace.getTracer('neotool-assets/storage');

/**
 * One client span per S3 command ("S3 GetObject") made within a traced request, outermost in the SDK's
 * middleware stack so that retries, the circuit breaker's refusals and the HTTP request underneath all
 * belong to it. Calls outside requests and job runs (startup checks, health probes) are not traced, as for pg.
 */
export function traceStorage(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (!trace.getActiveSpan()) return next(args);
      const operation = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      const attributes = { 'rpc.system': 'aws-api', 'rpc.service': 'S3', 'rpc.method': operation, ...bucketOf(args.input) };
      return tracer.startActiveSpan(`S3 ${operation}`, { kind: SpanKind.CLIENT, attributes }, (span) => ended(span, next(args)));
    },
    { step: 'initialize', name: 'assetsTracing', priority: 'high' },
  );
}

async function ended<T>(span: Span, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(error) });
    span.recordException(error as Error);
    throw error;
  } finally {
    span.end();
  }
}

function bucketOf(input: unknown): Attributes {
  const bucket = (input as { Bucket?: unknown } | undefined)?.Bucket;
  return typeof bucket === 'string' ? { 'aws.s3.bucket': bucket } : {};
}
