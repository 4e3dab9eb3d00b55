import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Every Prometheus instrument the service exports, on one registry (no global state between instances). */
export class Metrics {
  readonly registry = new Registry();
  readonly requestDuration = new Histogram({
    name: 'assets_http_request_duration_seconds',
    help: 'HTTP request latency by GraphQL operation (or route) and status code.',
    labelNames: ['operation', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly lifecycle = new Counter({
    name: 'assets_lifecycle_events_total',
    help: 'Uploads created, confirmed, failed (by reason), deleted, expired, rescued and purged, by namespace.',
    labelNames: ['event', 'namespace', 'reason'] as const,
    registers: [this.registry],
  });
  readonly storageDuration = new Histogram({
    name: 'assets_storage_request_duration_seconds',
    help: 'Object storage call latency by S3 operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly storageErrors = new Counter({
    name: 'assets_storage_errors_total',
    help: 'Failed object storage calls by S3 operation and error name.',
    labelNames: ['operation', 'error'] as const,
    registers: [this.registry],
  });
  readonly jobRuns = new Counter({
    name: 'assets_job_runs_total',
    help: 'Background job runs by job and outcome.',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly jobItems = new Counter({
    name: 'assets_job_items_processed_total',
    help: 'Items (assets, objects) processed by background jobs.',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });
  readonly rateLimitRejections = new Counter({
    name: 'assets_rate_limit_rejections_total',
    help: 'Requests refused by a rate limit or quota, by limit.',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Database pool gauges, read at scrape time. */
  observePool(pool: { totalCount: number; idleCount: number; waitingCount: number }): void {
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
    gauge('assets_db_pool_connections', 'Open database connections.', () => pool.totalCount);
    gauge('assets_db_pool_idle_connections', 'Idle database connections.', () => pool.idleCount);
    gauge('assets_db_pool_waiting_requests', 'Queries waiting for a database connection.', () => pool.waitingCount);
  }
}
