import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import pino from 'pino';
import type { JobsConfig } from '../../../src/config/config.js';
import type { AssetService } from '../../../src/domain/asset-service.js';
import { startBackgroundJobs } from '../../../src/jobs/background-jobs.js';

const HOUR = 3600; // no run comes due while a test looks
const config = (enabled: boolean): JobsConfig => ({
  enabled,
  batchSize: 100,
  expire: { intervalSeconds: HOUR, graceSeconds: 60 },
  purge: { intervalSeconds: HOUR, retentionDays: 30 },
  orphans: { intervalSeconds: HOUR, graceSeconds: HOUR, delete: false },
});

/** Starts the jobs with a sweep client factory that counts how often it is asked. */
function started(enabled: boolean) {
  let clientsMade = 0;
  const runner = startBackgroundJobs({
    config: config(enabled),
    pool: {} as pg.Pool,
    bulkStorage: () => (clientsMade++, {} as S3Client),
    buckets: ['public', 'private'],
    service: {} as AssetService,
    events: { emit: () => undefined },
    logger: pino({ level: 'silent' }),
  });
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
});
