import type { RunReport } from './job.js';

export interface JobCounters {
  /** Runs this replica did. */
  runs: number;
  /** Ticks where another replica held the job's lock. */
  skipped: number;
  failedRuns: number;
  processed: number;
  lastRun?: { at: Date; processed: number; durationMs: number; error?: string };
}

/** This replica's job counters, in memory: for tests, health details and metrics. */
export class JobStats {
  private readonly byJob = new Map<string, JobCounters>();

  of(job: string): JobCounters {
    let counters = this.byJob.get(job);
    if (!counters) this.byJob.set(job, (counters = { runs: 0, skipped: 0, failedRuns: 0, processed: 0 }));
    return counters;
  }

  recordRun(job: string, report: RunReport): void {
    const counters = this.of(job);
    counters.runs += 1;
    counters.processed += report.processed;
    if (report.error) counters.failedRuns += 1;
    counters.lastRun = { at: new Date(), processed: report.processed, durationMs: report.durationMs, error: report.error?.message };
  }

  recordSkip(job: string): void {
    this.of(job).skipped += 1;
  }
}
