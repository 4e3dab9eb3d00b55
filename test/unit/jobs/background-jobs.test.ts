import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { S3Client, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import type pg from 'pg';
import pino from 'pino';
import type { JobsConfig } from '../../../src/config/config.js';
import type { AssetService } from '../../../src/domain/asset-service.js';
import { startBackgroundJobs, type BackgroundJobsDeps } from '../../../src/jobs/background-jobs.js';

const HOUR = 3600; // no run comes due while a test looks
const config = (enabled: boolean): JobsConfig => ({
  enabled,
  batchSize: 100,
  expire: { intervalSeconds: HOUR, graceSeconds: 60 },
  purge: { intervalSeconds: HOUR, retentionDays: 30 },
  orphans: { intervalSeconds: HOUR, graceSeconds: HOUR, delete: false },
});

/** Starts the jobs on fakes that are never reached unless `overrides` replaces them. */
const startedWith = (overrides: Partial<BackgroundJobsDeps>) =>
  startBackgroundJobs({
    config: config(true),
    pool: {} as pg.Pool,
    bulkStorage: () => ({}) as S3Client,
    buckets: { PUBLIC: 'public', PRIVATE: 'private' },
    service: {} as AssetService,
    events: { emit: () => undefined },
    logger: pino({ level: 'silent' }),
    ...overrides,
  });

/** Starts the jobs with a sweep client factory that counts how often it is asked. */
function started(enabled: boolean) {
  let clientsMade = 0;
  const runner = startedWith({ config: config(enabled), bulkStorage: () => (clientsMade++, {} as S3Client) });
  return { runner, clientsMade: () => clientsMade };
}

describe('startBackgroundJobs', () => {
  test('with JOBS_ENABLED=false makes no storage client for the orphan sweep', async () => {
    const { runner, clientsMade } = started(false);
    await runner.stop();
    assert.equal(clientsMade(), 0);
  });

  test('with the jobs enabled makes one bulk storage client, for the orphan sweep', async () => {
    const { runner, clientsMade } = started(true);
    await runner.stop();
    assert.equal(clientsMade(), 1);
  });

  test('the orphan sweep lists storage in pages of 1,000 keys, whatever JOB_BATCH_SIZE is', async () => {
    const listed: number[] = [];
    // A real client whose listings never leave the process: each answers with an empty bucket.
    const bucketsStorage = new S3Client({ region: 'auto', credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' } });
    bucketsStorage.middlewareStack.add(() => async (args) => {
      listed.push((args.input as ListObjectsV2CommandInput).MaxKeys!);
      return { output: { Contents: [], $metadata: {} }, response: {} };
    }, { step: 'initialize' });
    const lockedSession = { query: async () => ({ rows: [{ locked: true }] }), release: () => undefined };
    let swept!: (error: Error | undefined) => void;
    const sweepRan = new Promise<Error | undefined>((resolve) => (swept = resolve));
    // The runner's timers are unref'd: this one keeps the test alive, and bounds the wait.
    const deadline = setTimeout(() => swept(new Error('the orphan sweep did not run within 10 s')), 10_000);
    const runner = startedWith({
      config: { ...config(true), batchSize: 2, orphans: { intervalSeconds: 0.01, graceSeconds: 0, delete: false } },
      pool: { connect: async () => lockedSession } as unknown as pg.Pool,
      bulkStorage: () => bucketsStorage,
      onRun: (job, report) => job === 'sweep-orphaned-objects' && swept(report.error),
    });
    const sweepError = await sweepRan.finally(() => clearTimeout(deadline));
    await runner.stop();
    assert.ifError(sweepError);
    assert.deepEqual(listed.slice(0, 2), [1000, 1000], 'one listing of each bucket, 1,000 keys a page');
  });
});
