import type { S3Client } from '@aws-sdk/client-s3';
import { SpanKind, trace, type Attributes } from '@opentelemetry/api';
import { errorName } from '../../storage/storage-errors.js';
import { endedWith } from './span-outcome.js';

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
      return tracer.startActiveSpan(`S3 ${operation}`, { kind: SpanKind.CLIENT, attributes }, (span) => endedWith(span, next(args), errorName));
    },
    { step: 'initialize', name: 'assetsTracing', priority: 'high' },
  );
}

function bucketOf(input: unknown): Attributes {
  const bucket = (input as { Bucket?: unknown } | undefined)?.Bucket;
  return typeof bucket === 'string' ? { 'aws.s3.bucket': bucket } : {};
}
