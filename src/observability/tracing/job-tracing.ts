import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { RunCounts, RunTracer } from '../../jobs/job.js';
import { endedWith } from './span-outcome.js';

const tracer = trace.getTracer('neotool-assets/jobs');

/**
 * Each background job run that this replica does is a trace of its own ("job purge-deleted-assets"),
 * never part of a request's: its PostgreSQL queries and S3 calls are the run's children, and its
 * log lines carry its trace_id. What the run did goes on the span as job.processed and job.<kind>.
 */
export const traceJobRuns: RunTracer = (job, counts, run) =>
  tracer.startActiveSpan(`job ${job}`, { kind: SpanKind.INTERNAL, attributes: { 'job.name': job } }, ROOT_CONTEXT, (span) =>
    endedWith(span, run().finally(() => span.setAttributes(countAttributes(counts))), (error) => (error as Error).message),
  );

function countAttributes(counts: RunCounts): Record<string, number> {
  const byKind = Object.entries(counts.byKind).map(([kind, n]) => [`job.${kind}`, n] as const);
  return { 'job.processed': counts.processed, ...Object.fromEntries(byKind) };
}
