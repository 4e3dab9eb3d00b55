import type { Logger } from 'pino';
import { type Job, type JobLock, type JobLocks, type OnRun, RunCounts, type RunTracer } from './job.js';
import { JobStats } from './job-stats.js';

export interface JobRunnerDeps {
  jobs: readonly Job[];
  locks: JobLocks;
  logger: Logger;
  onRun?: OnRun;
  traceRun?: RunTracer;
  /** Source of jitter; injectable so that tests can pin the schedule. */
  random?: () => number;
}

/** Spread of each interval: replicas started together drift apart instead of contending every tick. */
const JITTER = 0.2;

/**
 * Runs each job every interval (± jitter), one run at a time per job and, through the job's lock,
 * one replica at a time. A failed run is logged and simply tried again at the next interval.
 */
export class JobRunner {
  readonly stats = new JobStats();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly deps: JobRunnerDeps) {}

  start(): void {
    for (const job of this.deps.jobs) this.schedule(job);
  }

  /** No new runs; resolves once the runs in flight have finished their current batch. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.inFlight);
  }

  /** One run of `job` now, if this replica gets its lock. Never throws. */
  async runOnce(job: Job): Promise<void> {
    const started = performance.now();
    const counts = new RunCounts();
    let lock: JobLock | null = null;
    try {
      lock = await this.deps.locks.tryAcquire(job.name);
      if (!lock) return this.skipped(job);
      const run = () => job.run(this.stopping.signal, counts);
      await (this.deps.traceRun ? this.deps.traceRun(job.name, counts, run) : run());
      this.report(job, counts, started);
    } catch (error) {
      this.report(job, counts, started, error instanceof Error ? error : new Error(String(error)));
    } finally {
      await lock?.release();
    }
  }

  private schedule(job: Job): void {
    if (this.stopping.signal.aborted) return;
    const random = this.deps.random ?? Math.random;
    const delay = job.intervalSeconds * 1000 * (1 - JITTER / 2 + JITTER * random());
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.runOnce(job).finally(() => {
        this.inFlight.delete(run);
        this.schedule(job);
      });
      this.inFlight.add(run);
    }, delay);
    // Timers alone never keep the process alive: the HTTP server does, and close() stops the runner.
    timer.unref();
    this.timers.add(timer);
  }

  private skipped(job: Job): void {
    this.stats.recordSkip(job.name);
    this.deps.logger.debug({ job: job.name }, 'job skipped: another replica is running it');
  }

  private report(job: Job, counts: RunCounts, started: number, error?: Error): void {
    const report = { processed: counts.processed, durationMs: Math.round(performance.now() - started), error };
    this.stats.recordRun(job.name, report);
    this.deps.onRun?.(job.name, report);
    const fields = { job: job.name, processed: report.processed, durationMs: report.durationMs, ...counts.byKind };
    if (error) this.deps.logger.error({ ...fields, err: error }, 'job run failed; retrying at the next interval');
    else this.deps.logger.info(fields, 'job run finished');
  }
}
