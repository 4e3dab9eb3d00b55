/** A periodic background job. Several replicas run the same jobs; a lock lets one at a time do a run. */
export interface Job {
  readonly name: string;
  readonly intervalSeconds: number;
  /**
   * Works through batches until nothing is left or `signal` aborts. The signal is checked between
   * batches only, so a batch once started always finishes. Counts go into `counts` as they happen.
   */
  run(signal: AbortSignal, counts: RunCounts): Promise<void>;
}

/**
 * A run's loop: one batch after another until a batch comes back short (nothing left) or the run is
 * aborted, which is checked between batches only. `batch` does one and says how many items it took.
 */
export async function drainInBatches(signal: AbortSignal, batchSize: number, batch: () => Promise<number>): Promise<void> {
  while (!signal.aborted) if ((await batch()) < batchSize) return;
}

/** What one run did, filled in as it goes so that a run that fails halfway still reports its work. */
export class RunCounts {
  processed = 0;
  readonly byKind: Record<string, number> = {};

  /** Items the job acted on (rescued, expired, purged, orphans found), by kind. */
  processedItems(kind: string, n = 1): void {
    this.processed += n;
    this.add(kind, n);
  }

  /** Anything else worth logging (objects scanned, item errors). */
  add(kind: string, n = 1): void {
    this.byKind[kind] = (this.byKind[kind] ?? 0) + n;
  }
}

export interface RunReport {
  processed: number;
  durationMs: number;
  error?: Error;
}

/** Called after every run this replica did (not when another replica held the lock): the metrics hook. */
export type OnRun = (job: string, report: RunReport) => void;

/**
 * Wraps each run this replica does (after taking the lock), with the counts it fills in: the tracing
 * hook, which makes the run a trace of its own with its queries and storage calls inside.
 */
export type RunTracer = (job: string, counts: RunCounts, run: () => Promise<void>) => Promise<void>;

export interface JobLock {
  release(): Promise<void>;
}

export interface JobLocks {
  /** The job's lock, or null when another replica holds it. */
  tryAcquire(job: string): Promise<JobLock | null>;
}
