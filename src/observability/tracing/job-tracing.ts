import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RunCounts, RunTracer } from '../../jobs/job.js';

const tracer = trace.getTracer('neotool-assets/jobs');

/**
 * Each background job run that this replica does is a trace of its own ("job purge-deleted-assets"),
 * never part of a request's: its PostgreSQL queries and S3 calls are the run's children, and its
 * log lines carry its trace_id. What the run did goes on the span as job.processed and job.<kind>.
 */
export const traceJobRuns: RunTracer = (job, counts, run) =>
  tracer.startActiveSpan(`job ${job}`, { kind: SpanKind.INTERNAL, attributes: { 'job.name': job } }, ROOT_CONTEXT, async (span) => {
    try {
      await run();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.recordException(error as Error);
      throw error;
    } finally {
      span.setAttributes(countAttributes(counts));
      span.end();
    }
  });

function countAttributes(counts: RunCounts): Record<string, number> {
  const byKind = Object.entries(counts.byKind).map(([kind, n]) => [`job.${kind}`, n] as const);
  return { 'job.processed': counts.processed, ...Object.fromEntries(byKind) };
}
