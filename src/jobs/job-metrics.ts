import type { Metrics } from '../observability/metrics.js';
import type { OnRun } from './job.js';

/** Counts every run (by outcome) and the items it processed in Prometheus. */
export function jobMetrics(metrics: Metrics): OnRun {
  return (job, report) => {
    metrics.jobRuns.inc({ job, outcome: report.error ? 'error' : 'ok' });
    metrics.jobItems.inc({ job }, report.processed);
  };
}
