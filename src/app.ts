import type { FastifyInstance } from 'fastify';
import { pooledUuidV7 } from './ids/uuid-v7.js';
import { unsetTokenScope } from './auth/token-scope.js';
import { createTokenVerifier, type TokenVerifier } from './auth/token-verifier.js';
import type { Config } from './config/config.js';
import { loadNamespacesFile } from './config/namespaces-file.js';
import { shownUrl } from './config/shown-url.js';
import { migrate } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { PostgresAssetRepository } from './db/asset-repository.js';
import { AssetService } from './domain/asset-service.js';
import { cachedCheck, type HealthCheck, upOnceConfirmed } from './http/health.js';
import { fetchIssuerKeys } from './operations/doctor/jwks-keys.js';
import { FileContentInspector } from './inspection/content-inspector.js';
import { buildServer } from './http/server.js';
import { validateBuckets } from './storage/bucket-validation.js';
import { addCircuitBreaker } from './storage/circuit-breaker.js';
import { Presigner } from './storage/presigner.js';
import { createS3Client, type CallTimeout } from './storage/s3-client.js';
import { S3ObjectStorage } from './storage/s3-object-storage.js';
import { auditLifecycle } from './observability/lifecycle-audit.js';
import { createServiceLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { instrumentStorage } from './observability/storage-instrumentation.js';
import { startBackgroundJobs } from './jobs/background-jobs.js';
import { jobMetrics } from './jobs/job-metrics.js';
import type { JobRunner } from './jobs/job-runner.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { Logger } from 'pino';
import { bucketsByVisibility, type StorageConfig } from './config/storage-config.js';
import type { NamespaceCatalog } from './domain/namespace.js';
import type { LifecycleEvents, UploadLimiter } from './domain/ports.js';
import { createUploadLimiter, type LimiterHooks } from './limits/shared-upload-limiter.js';
import { openCounterStore } from './limits/counter-stores.js';

export interface StartOptions {
  /** Dev mode: a token for the console to fill in. */
  devToken?: () => Promise<string>;
}

export interface RunningService {
  app: FastifyInstance;
  url: string;
  jobs: JobRunner;
  close(): Promise<void>;
}

/**
 * The composition root: checks configuration against the real world (namespaces file, database
 * schema, Redis when configured, buckets) before it takes a single request, then wires the edges around the lifecycle.
 */
export async function startService(config: Config, givenLogger?: Logger, options: StartOptions = {}): Promise<RunningService> {
  const logger = givenLogger ?? (await createServiceLogger(config));
  warnIfTokensUnscoped(config.jwt, logger);
  const { catalog: namespaces, rateLimit } = await loadNamespacesFile(config.assets.configPath);
  const metrics = new Metrics();
  const pool = createPool(config.database.connectionString, config.database.poolMax);
  metrics.observePool(pool);
  // What the start has opened so far, closed again in reverse: when a later step fails, and by close().
  const opened: (() => unknown)[] = [() => pool.end()];
  try {
    const tracing = config.tracing ? await import('./observability/tracing/service-tracing.js') : undefined;
    await migrate(pool, { lockTimeoutSeconds: config.database.migrationLockTimeoutSeconds });
    const counters = await openCounterStore(pool, config.redis, logger);
    opened.push(counters.close);
    const s3 = await connectStorage(config.storage, metrics, logger, tracing?.traceStorage);
    opened.push(() => s3.destroy());
    const events = auditLifecycle(logger, metrics);
    const uploadLimits = { ...rateLimit, ...config.uploadLimits };
    const limiter = createUploadLimiter(counters.store, uploadLimits, limiterHooks(metrics, logger));
    const service = createAssetService(config, { pool, s3, namespaces, events, limiter, quotaBytes: uploadLimits.quotaBytes });
    const issuerCheck = new AbortController();
    const verifier = createTokenVerifier(config.jwt);
    const issuerKeys = issuerKeysCheck(config.jwt.jwksUrl, verifier, logger, issuerCheck.signal);
    const app = await buildServer({
      service,
      verifier,
      logger,
      metrics,
      corsAllowedOrigins: config.assets.corsAllowedOrigins,
      console: config.assets.consoleEnabled ? { namespaces: namespaces.list(), devToken: options.devToken } : undefined,
      health: {
        database: async () => void (await pool.query('SELECT 1')),
        storage: cachedCheck(() => validateBuckets(s3, config.storage), 5000),
        issuerKeys,
        ...counters.health,
      },
    });
    opened.push(() => app.close());
    // Before the server closes (closing runs last opened first): a probe waiting on the issuer must not hold it up.
    opened.push(() => issuerCheck.abort());
    tracing?.traceRequests(app);
    const url = await app.listen({ port: config.port, host: config.host });
    let bulkStorage: S3Client | undefined;
    const sweepStorage = () => (bulkStorage ??= instrumentedClient(config.storage, 'bulk', metrics, tracing?.traceStorage));
    const jobs = startBackgroundJobs({ config: config.jobs, pool, bulkStorage: sweepStorage, buckets: bucketsByVisibility(config.storage), service, events, logger, onRun: jobMetrics(metrics), traceRun: tracing?.traceJobRuns });
    opened.push(() => jobs.stop().then(() => bulkStorage?.destroy()));
    // At once, not at the first probe: a wrong JWT_JWKS_URL is said in the start-up log.
    void issuerKeys().catch(() => undefined);
    return { app, url, jobs, close: () => closeInReverse(opened) };
  } catch (error) {
    await closeInReverse(opened).catch(() => undefined);
    throw error;
  }
}

/** Runs every step, last opened first, even when one fails; then fails with the first failure. */
async function closeInReverse(opened: (() => unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const close of [...opened].reverse()) await Promise.resolve().then(close).catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw failures[0];
}

/** Without JWT_ISSUER and JWT_AUDIENCE, any token the JWKS keys signed is accepted, also one issued for another service. */
function warnIfTokensUnscoped(jwt: Config['jwt'], logger: Logger): void {
  const unset = unsetTokenScope(jwt.issuer, jwt.audience);
  if (unset.length === 0) return;
  logger.warn({ unset }, `${unset.join(' and ')} not set: tokens are accepted whatever issuer or audience they name, as long as JWT_JWKS_URL's keys signed them; set them to what your token issuer puts in "iss" and "aud"`);
}

// Within the readiness probe's 3 s (deploy/kubernetes), so that an issuer that does not answer shows as a 503 with the cause.
const ISSUER_CHECK_TIMEOUT_MS = 2_500;

/**
 * Readiness of JWT_JWKS_URL (see HealthChecks.issuerKeys), first run once the service is up (a failed
 * start fetches nothing). The service does not wait for the issuer, which may come up later, but says
 * at once when its keys cannot be used, and again when they became usable. Never fails the service.
 */
function issuerKeysCheck(url: string, verifier: TokenVerifier, logger: Logger, closing: AbortSignal): HealthCheck {
  const jwksUrl = shownUrl(url);
  let warned = false;
  return upOnceConfirmed(async () => {
    const { outcome, jwks } = await fetchIssuerKeys(url, ISSUER_CHECK_TIMEOUT_MS, closing);
    if (outcome.status === 'pass') {
      // Ready means the verifier holds the keys, not only that they can be fetched.
      await verifier.loadKeys(jwks);
      if (warned) logger.info({ jwksUrl }, `JWT_JWKS_URL usable now (${outcome.message}): tokens can be verified, the service is ready`);
      return;
    }
    if (!warned && !closing.aborted) {
      logger.warn({ jwksUrl }, `JWT_JWKS_URL unusable at start: ${outcome.message} Until it serves an RS256 signing key, no token can be verified and /health/ready answers 503.`);
    }
    warned = true;
    throw new Error(outcome.message);
  });
}

/** An S3 client whose calls count in the storage metrics (and are spans, when tracing). */
function instrumentedClient(config: StorageConfig, timeout: CallTimeout, metrics: Metrics, trace?: (s3: S3Client) => void): S3Client {
  const s3 = createS3Client(config, timeout);
  instrumentStorage(s3, metrics);
  trace?.(s3);
  return s3;
}

/** The service's instrumented S3 client behind a circuit breaker, after both buckets answered. */
async function connectStorage(config: StorageConfig, metrics: Metrics, logger: Logger, trace?: (s3: S3Client) => void): Promise<S3Client> {
  const s3 = instrumentedClient(config, 'answer', metrics, trace);
  addCircuitBreaker(s3, { resetTimeoutMs: config.circuitResetMs, volumeThreshold: 5 });
  try {
    await validateBuckets(s3, config);
  } catch (error) {
    s3.destroy();
    throw error;
  }
  logger.info({ publicBucket: config.publicBucket, privateBucket: config.privateBucket }, 'Bucket validation successful');
  return s3;
}

interface ServiceEdges {
  pool: pg.Pool;
  s3: S3Client;
  namespaces: NamespaceCatalog;
  events: LifecycleEvents;
  limiter: UploadLimiter;
  quotaBytes: number;
}

function createAssetService(config: Config, edges: ServiceEdges): AssetService {
  const { storage, assets } = config;
  return new AssetService({
    repository: new PostgresAssetRepository(edges.pool, edges.quotaBytes),
    storage: new S3ObjectStorage(edges.s3, new Presigner(storage), storage),
    inspector: new FileContentInspector(),
    events: edges.events,
    limiter: edges.limiter,
    namespaces: edges.namespaces,
    clock: { now: () => new Date() },
    ids: { next: pooledUuidV7() },
    settings: {
      buckets: bucketsByVisibility(storage),
      region: storage.region,
      uploadTtlSeconds: storage.uploadTtlSeconds,
      maxDownloadTtlSeconds: storage.downloadTtlSeconds,
      maxUploadBytes: storage.maxUploadBytes,
      idempotencyWindowSeconds: assets.idempotencyWindowSeconds,
      uploadGraceSeconds: config.jobs.expire.graceSeconds,
    },
  });
}

/** Refusals are counted by limit; a failed give-back only leaves a counter high until its window ends, worth a warning. */
function limiterHooks(metrics: Metrics, logger: Logger): LimiterHooks {
  return {
    onRefused: (limit) => metrics.rateLimitRejections.inc({ limit }),
    onGiveBackFailed: (err, ownerId) => logger.warn({ err, ownerId }, 'Could not give back an upload to the per-owner rate limits; its counters stay one upload high until their windows end'),
  };
}
