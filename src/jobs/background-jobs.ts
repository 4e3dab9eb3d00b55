import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { JobsConfig } from '../config/config.js';
import { JobQueries } from '../db/job-queries.js';
import { PostgresJobLocks } from '../db/job-locks.js';
import type { Visibility } from '../domain/asset.js';
import type { AssetService } from '../domain/asset-service.js';
import type { LifecycleEvents } from '../domain/ports.js';
import { LISTING_PAGE_SIZE } from '../storage/s3-client.js';
import { ExpireStaleUploadsJob } from './expire-stale-uploads.js';
import type { OnRun, RunTracer } from './job.js';
import { JobRunner } from './job-runner.js';
import { OrphanSweepJob } from './orphan-sweep.js';
import { PurgeDeletedAssetsJob } from './purge-deleted-assets.js';

export interface BackgroundJobsDeps {
  config: JobsConfig;
  pool: pg.Pool;
  /**
   * For the orphan sweep's listings and bulk deletes: a client with bulk timeouts and no circuit
   * breaker, so that a slow sweep never opens the breaker that guards uploads. Asked for only when
   * the jobs run.
   */
  bulkStorage: () => S3Client;
  buckets: Record<Visibility, string>;
  service: AssetService;
  events: LifecycleEvents;
  logger: Logger;
  onRun?: OnRun;
  traceRun?: RunTracer;
}

/** The three maintenance jobs, wired and started; none when JOBS_ENABLED=false. */
export function startBackgroundJobs(deps: BackgroundJobsDeps): JobRunner {
  const { config, pool, logger } = deps;
  const queries = new JobQueries(pool);
  const jobs = config.enabled
    ? [
        new ExpireStaleUploadsJob(queries, deps.service, { ...config.expire, batchSize: config.batchSize }, logger),
        new PurgeDeletedAssetsJob(queries, deps.events, { ...config.purge, batchSize: config.batchSize }),
        // Storage's page size, not JOB_BATCH_SIZE's database-sized batches: listings are billed calls.
        new OrphanSweepJob(deps.bulkStorage(), deps.buckets, queries, { ...config.orphans, pageSize: LISTING_PAGE_SIZE }, logger),
      ]
    : [];
  const runner = new JobRunner({ jobs, locks: new PostgresJobLocks(pool), logger, onRun: deps.onRun, traceRun: deps.traceRun });
  runner.start();
  return runner;
}
