import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { Job, JobLock, JobLocks, RunCounts, RunReport } from '../../../src/jobs/job.js';
import { JobRunner } from '../../../src/jobs/job-runner.js';
import { eventually } from '../../support/eventually.js';

/** Locks as PostgreSQL would grant them: one holder per job name across all runners sharing this object. */
class FakeLocks implements JobLocks {
  readonly held = new Set<string>();
  releases = 0;
  async tryAcquire(job: string): Promise<JobLock | null> {
    if (this.held.has(job)) return null;
    this.held.add(job);
    return { release: async () => void (this.held.delete(job), this.releases++) };
  }
}

/** A job whose batches are driven by the test. */
class ScriptedJob implements Job {
  readonly name = 'scripted';
  readonly intervalSeconds = 0.01;
  batchesStarted = 0;
  sawAbort = false;
  constructor(private readonly batch: (counts: RunCounts, n: number) => Promise<boolean>) {}
  async run(signal: AbortSignal, counts: RunCounts): Promise<void> {
    while (!signal.aborted) {
      this.batchesStarted++;
      if (!(await this.batch(counts, this.batchesStarted))) return;
    }
    this.sawAbort = true;
  }
}

function runnerFor(job: Job, locks: JobLocks = new FakeLocks()) {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({ write: (chunk, _e, done) => void (lines.push(JSON.parse(chunk.toString())), done()) });
  const reports: RunReport[] = [];
  const runner = new JobRunner({ jobs: [job], locks, logger: pino({ level: 'debug' }, sink), onRun: (_job, report) => reports.push(report), random: () => 0.5 });
  return { runner, lines, reports };
}

const SOON = { timeoutMs: 1000, intervalMs: 5 };

describe('JobRunner', () => {
  test('logs each run with its counts and hands processed and duration to onRun', async () => {
    const job = new ScriptedJob(async (counts) => (counts.processedItems('rescued', 2), counts.add('scanned', 5), false));
    const { runner, lines, reports } = runnerFor(job);
    await runner.runOnce(job);
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.processed, 2);
    assert.equal(reports[0]!.error, undefined);
    assert.ok(reports[0]!.durationMs >= 0);
    const line = lines.find((l) => l.msg === 'job run finished');
    assert.deepEqual([line?.job, line?.processed, line?.rescued, line?.scanned], ['scripted', 2, 2, 5]);
    assert.deepEqual([runner.stats.of('scripted').runs, runner.stats.of('scripted').processed], [1, 2]);
  });

  test('does nothing but count a skip when another replica holds the lock', async () => {
    const locks = new FakeLocks();
    locks.held.add('scripted');
    const job = new ScriptedJob(async () => false);
    const { runner, reports } = runnerFor(job, locks);
    await runner.runOnce(job);
    assert.equal(job.batchesStarted, 0);
    assert.equal(reports.length, 0);
    assert.deepEqual([runner.stats.of('scripted').runs, runner.stats.of('scripted').skipped], [0, 1]);
  });

  test('with a run tracer, each run that got the lock goes through it with its counts; a skipped run does not', async () => {
    const job = new ScriptedJob(async (counts) => (counts.processedItems('purged', 3), false));
    const locks = new FakeLocks();
    const traced: { job: string; processedBefore: number; processedAfter: number }[] = [];
    const runner = new JobRunner({
      jobs: [job],
      locks,
      logger: pino({ level: 'silent' }),
      traceRun: async (name, counts, run) => {
        const entry = { job: name, processedBefore: counts.processed, processedAfter: -1 };
        await run();
        entry.processedAfter = counts.processed;
        traced.push(entry);
      },
    });
    await runner.runOnce(job);
    locks.held.add('scripted');
    await runner.runOnce(job);
    assert.deepEqual(traced, [{ job: 'scripted', processedBefore: 0, processedAfter: 3 }]);
    assert.equal(job.batchesStarted, 1);
  });

  test('reports a failed run with its error and the items processed before it, and releases the lock', async () => {
    const locks = new FakeLocks();
    const job = new ScriptedJob(async (counts, n) => {
      counts.processedItems('expired');
      if (n === 2) throw new Error('storage down');
      return true;
    });
    const { runner, lines, reports } = runnerFor(job, locks);
    await runner.runOnce(job);
    assert.equal(reports[0]!.processed, 2);
    assert.equal(reports[0]!.error?.message, 'storage down');
    assert.equal(lines.find((l) => l.msg.startsWith('job run failed'))?.err?.message, 'storage down');
    assert.equal(runner.stats.of('scripted').failedRuns, 1);
    assert.deepEqual([locks.held.size, locks.releases], [0, 1]);
  });

  test('runs again at every interval once started', async () => {
    const job = new ScriptedJob(async () => false);
    const { runner } = runnerFor(job);
    runner.start();
    await eventually(() => runner.stats.of('scripted').runs >= 3, 'three runs', SOON);
    await runner.stop();
  });

  test('stop() waits for the batch in flight to finish, and no batch starts after it', async () => {
    let finishBatch!: () => void;
    const job = new ScriptedJob(() => new Promise<boolean>((resolve) => (finishBatch = () => resolve(true))));
    const { runner } = runnerFor(job);
    runner.start();
    await eventually(() => job.batchesStarted === 1, 'the first batch', SOON);
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    await sleep(30);
    assert.equal(stopped, false, 'stop() resolved while a batch was still running');
    finishBatch();
    await stopping;
    assert.equal(job.batchesStarted, 1);
    assert.equal(job.sawAbort, true);
    await sleep(30);
    assert.equal(runner.stats.of('scripted').runs, 1, 'no run was scheduled after stop()');
  });
});
