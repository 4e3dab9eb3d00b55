import type { FastifyInstance } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { createTokenVerifier } from './auth/token-verifier.js';
import type { Config } from './config/config.js';
import { loadNamespaces } from './config/namespaces-file.js';
import { migrate } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { PostgresAssetRepository } from './db/asset-repository.js';
import { AssetService } from './domain/asset-service.js';
import { cachedCheck } from './http/health.js';
import { FileContentInspector } from './inspection/content-inspector.js';
import { buildServer } from './http/server.js';
import { validateBuckets } from './storage/bucket-validation.js';
import { addCircuitBreaker } from './storage/circuit-breaker.js';
import { Presigner } from './storage/presigner.js';
import { createS3Client } from './storage/s3-client.js';
import { S3ObjectStorage } from './storage/s3-object-storage.js';
import { auditLifecycle } from './observability/lifecycle-audit.js';
import { createLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { instrumentStorage } from './observability/storage-instrumentation.js';
import { startBackgroundJobs } from './jobs/background-jobs.js';
import { jobMetrics } from './jobs/job-metrics.js';
import type { JobRunner } from './jobs/job-runner.js';
import type { Logger } from 'pino';

export interface RunningService {
  app: FastifyInstance;
  url: string;
  jobs: JobRunner;
  close(): Promise<void>;
}

/**
 * The composition root: checks configuration against the real world (namespaces file, database
 * schema, buckets) before it takes a single request, then wires the edges around the lifecycle.
 */
export async function startService(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningService> {
  const namespaces = await loadNamespaces(config.assets.configPath);
  const metrics = new Metrics();
  const pool = createPool(config.database.connectionString, config.database.poolMax);
  metrics.observePool(pool);
  try {
    await migrate(pool);
    const s3 = createS3Client(config.storage);
    instrumentStorage(s3, metrics);
    addCircuitBreaker(s3, { resetTimeoutMs: config.storage.circuitResetMs, volumeThreshold: 5 });
    await validateBuckets(s3, config.storage);
    logger.info({ publicBucket: config.storage.publicBucket, privateBucket: config.storage.privateBucket }, 'Bucket validation successful');
    const events = auditLifecycle(logger, metrics);
    const service = new AssetService({
      repository: new PostgresAssetRepository(pool),
      storage: new S3ObjectStorage(s3, new Presigner(config.storage), config.storage),
      inspector: new FileContentInspector(),
      events,
      namespaces,
      clock: { now: () => new Date() },
      ids: { next: uuidv7 },
      settings: {
        buckets: { PUBLIC: config.storage.publicBucket, PRIVATE: config.storage.privateBucket },
        region: config.storage.region,
        uploadTtlSeconds: config.storage.uploadTtlSeconds,
        maxDownloadTtlSeconds: config.storage.downloadTtlSeconds,
        maxUploadBytes: config.storage.maxUploadBytes,
        idempotencyWindowSeconds: config.assets.idempotencyWindowSeconds,
      },
    });
    const app = await buildServer({
      service,
      verifier: createTokenVerifier(config.jwt),
      logger,
      metrics,
      corsAllowedOrigins: config.assets.corsAllowedOrigins,
      health: {
        database: async () => void (await pool.query('SELECT 1')),
        storage: cachedCheck(() => validateBuckets(s3, config.storage), 5000),
      },
    });
    const url = await app.listen({ port: config.port, host: config.host });
    const buckets = [config.storage.publicBucket, config.storage.privateBucket];
    const jobs = startBackgroundJobs({ config: config.jobs, pool, s3, buckets, service, events, logger, onRun: jobMetrics(metrics) });
    return {
      app,
      url,
      jobs,
      close: async () => {
        await Promise.all([app.close(), jobs.stop()]);
        s3.destroy();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
