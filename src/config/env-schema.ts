import { z } from 'zod';
import { OTLP_PROTOCOLS } from './tracing-config.js';
import { hasUserInfo } from './shown-url.js';

/**
 * Every environment variable the service reads, with its documentation. docs/configuration.md,
 * .env.example and the README's configuration table (all three written by `npm run docs:config`), the
 * Kubernetes manifest checks and the docker compose checks are all derived from this one list.
 */
export interface EnvVarSpec {
  schema: z.ZodType;
  description: string;
  /** The section of .env.example and of the tables it is listed under. */
  group: EnvGroup;
  default?: string;
  required?: boolean;
  secret?: boolean;
  /**
   * The local stack's value, the same for the stack's own containers and for the service run on this
   * machine: docker-compose.yml sets it too (test/deploy/docker-compose.test.ts checks that, the storage
   * host aside: the containers reach MinIO as `minio`), .env.example sets it, and the tables show it as
   * MinIO (dev).
   */
  minio?: string;
  /** The value for Cloudflare R2 in production (deploy/kubernetes). */
  r2?: string;
  /**
   * The local stack's value for the service run on this machine (`npm start`) only, where the stack's
   * containers use another, so docker-compose.yml does not (DATABASE_URL: compose gives POSTGRES_*;
   * JWT_JWKS_URL: compose reaches the JWKS as `jwks`). Rendered exactly as `minio` is (set in
   * .env.example, shown as MinIO (dev)); a setting has one or the other, never both.
   */
  local?: string;
  /** A sample value that .env.example shows commented out, for a setting with neither a default nor a local value. */
  example?: string;
}

/** The sections of the configuration, in the order they are listed, each with an optional note. */
export const ENV_GROUPS = {
  server: { title: 'Server' },
  database: {
    title: 'Database',
    note:
      'Either DATABASE_URL, or POSTGRES_HOST with the other POSTGRES_* variables: one of the two is required. TLS: ?sslmode=verify-full in DATABASE_URL, or PGSSLMODE=verify-full (read by node-postgres), verifies the server against Node\'s CA list; for a private CA also set NODE_EXTRA_CA_CERTS to its PEM file; sslmode=no-verify encrypts without verifying.',
  },
  storage: { title: 'Storage', note: 'Any S3-compatible store: MinIO locally, Cloudflare R2 (or AWS S3) in production.' },
  auth: { title: 'Authentication', note: 'RS256 JWTs, verified against the keys of a JWKS.' },
  assets: { title: 'Assets and API' },
  jobs: { title: 'Background jobs' },
  limits: { title: 'Per-owner limits', note: 'Rate limits (counted in PostgreSQL, or in Redis with REDIS_URL) and the storage quota.' },
  tracing: {
    title: 'Tracing (OpenTelemetry)',
    note: 'Off unless an OTLP endpoint is set. The SDK also reads the other standard OTEL_* variables (e.g. OTEL_BSP_*, OTEL_EXPORTER_OTLP_TIMEOUT).',
  },
} satisfies Record<string, { title: string; note?: string }>;

export type EnvGroup = keyof typeof ENV_GROUPS;

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }).transform((v) => ['true', '1', 'yes'].includes(v));
const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, { message: 'must be a whole number' }).transform(Number).pipe(z.number().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));
const text = z.string().min(1, { message: 'must not be empty' });
/** A full URL; the message shows an example of the kind the setting takes. */
const httpUrl = (example: string) => z.url({ protocol: /^https?$/, message: `must be a full http(s) URL such as ${example}` });
/** An http(s) URL, or a path on the storage endpoint: any other scheme would be glued onto the endpoint as a path. */
const publicBase = text.refine((value) => /^https?:\/\//i.test(value) || !/^[a-z][a-z0-9+.-]*:/i.test(value), {
  message: 'must be an http(s) URL such as https://assets.yourdomain.com, or a path on the storage endpoint such as /neotool-assets-public',
});
const hostname = z
  .string()
  .refine((v) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(v), {
    message: 'must not include a scheme: give the host only (e.g. "localhost") and set STORAGE_USE_HTTPS=true|false instead',
    abort: true,
  })
  .regex(/^[A-Za-z0-9.-]+$/, {
  message: 'must be a host name only, without a scheme, port or path (e.g. "localhost" or "<account-id>.r2.cloudflarestorage.com")',
});
const redisUrl = z.string().refine((v) => URL.canParse(v) && ['redis:', 'rediss:'].includes(new URL(v).protocol), {
  message: 'must be a redis:// or rediss:// (TLS) URL such as redis://:password@redis.internal:6379/0',
});
const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be a valid bucket name (3-63 lowercase letters, digits, "." or "-")' });

// Only PostgreSQL: pg would take a mysql:// URL too, and fail at start as rejected credentials.
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, message: 'must be a PostgreSQL URL (postgres:// or postgresql://) such as postgres://user:password@host:5432/database' });
const otlpUrl = httpUrl('http://otel-collector:4318');
// A JWKS is public; fetch refuses a URL with credentials in it, and they would reach every message naming it.
const jwksUrl = httpUrl('https://security.example.com/.well-known/jwks.json').refine((value) => !hasUserInfo(value), {
  message: 'must not carry a user name or password (user:password@): a JWKS is public, and fetch refuses credentials in a URL',
});
const otlpProtocol = z.enum(OTLP_PROTOCOLS, { message: 'must be http/protobuf, http/json or grpc' });
const sampler = z.enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'], {
  message: 'must be always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio',
});
const ratio = z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, { message: 'must be a number from 0 to 1, such as 0.25' });

export const ENV_VARS = {
  PORT: { group: 'server', schema: int(0, 65535), default: '8083', description: 'HTTP port of the service (0 picks a free one).' },
  HOST: { group: 'server', schema: text, default: '0.0.0.0', description: 'Address the HTTP server binds to.' },
  SHUTDOWN_TIMEOUT_MS: { group: 'server', schema: int(100, 600000), default: '20000', description: 'On SIGTERM: how long in-flight requests and the current job batch may take before the process exits anyway.' },
  LOG_LEVEL: { group: 'server', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', description: 'pino log level.' },
  DATABASE_URL: { group: 'database', schema: postgresUrl, secret: true, local: 'postgres://postgres:postgres@localhost:5432/neotool_assets', description: 'PostgreSQL connection URL; alternative to the POSTGRES_* variables.' },
  POSTGRES_HOST: { group: 'database', schema: z.string().regex(/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/, { message: 'must be a host name or IP address (IPv6 in brackets, e.g. [::1])' }), description: 'PostgreSQL host (used when DATABASE_URL is not set).' },
  POSTGRES_PORT: { group: 'database', schema: int(1, 65535), default: '5432', description: 'PostgreSQL port.' },
  POSTGRES_DB: { group: 'database', schema: text, default: 'neotool_assets', description: 'PostgreSQL database name.' },
  POSTGRES_USER: { group: 'database', schema: text, default: 'postgres', description: 'PostgreSQL user.' },
  POSTGRES_PASSWORD: { group: 'database', schema: z.string(), secret: true, description: 'PostgreSQL password.' },
  DATABASE_POOL_MAX: { group: 'database', schema: int(1, 1000), default: '20', description: 'Maximum connections in the database pool.' },
  DATABASE_MIGRATION_LOCK_TIMEOUT_SECONDS: { group: 'database', schema: int(1, 86400), default: '90', description: 'How long a start (or `migrate`) waits while another session holds the migration lock (another replica migrating) before it fails naming that session. Below the Kubernetes startup probe\'s 120 s, so the reason is logged before the pod is killed.' },
  STORAGE_HOSTNAME: { group: 'storage', schema: hostname, required: true, minio: 'localhost', r2: '<account-id>.r2.cloudflarestorage.com', description: 'S3 endpoint host, no scheme.' },
  STORAGE_PORT: { group: 'storage', schema: int(1, 65535), minio: '9000', r2: '443', description: 'S3 endpoint port (default 443 with HTTPS, 80 without).' },
  STORAGE_USE_HTTPS: { group: 'storage', schema: bool, default: 'true', minio: 'false', r2: 'true', description: 'Use HTTPS to reach storage.' },
  STORAGE_REGION: { group: 'storage', schema: text, default: 'us-east-1', minio: 'us-east-1', r2: 'auto', description: 'Signing region.' },
  STORAGE_FORCE_PATH_STYLE: { group: 'storage', schema: bool, default: 'false', minio: 'true', r2: 'false', description: 'Path-style URLs (MinIO); virtual-hosted style when false (R2, S3).' },
  STORAGE_ACCESS_KEY: { group: 'storage', schema: text, required: true, secret: true, minio: 'minioadmin', r2: 'from Vault', description: 'S3 access key id.' },
  STORAGE_SECRET: { group: 'storage', schema: text, required: true, secret: true, minio: 'minioadmin', r2: 'from Vault', description: 'S3 secret access key.' },
  STORAGE_PUBLIC_BUCKET: { group: 'storage', schema: bucket, default: 'neotool-assets-public', description: 'Bucket of PUBLIC namespaces.' },
  STORAGE_PRIVATE_BUCKET: { group: 'storage', schema: bucket, default: 'neotool-assets-private', description: 'Bucket of PRIVATE namespaces.' },
  STORAGE_PUBLIC_BASE_PATH: {
    group: 'storage',
    schema: publicBase,
    minio: 'http://localhost:9000/neotool-assets-public',
    r2: 'https://assets.yourdomain.com',
    description: 'Prefix of public URLs (CDN / custom domain); a value that is not a full URL is relative to the storage endpoint. Default: endpoint + public bucket.',
  },
  STORAGE_UPLOAD_TTL_SECONDS: { group: 'storage', schema: int(1, 604800), default: '900', minio: '900', r2: '900', description: 'Lifetime of presigned upload URLs (a namespace may override it).' },
  STORAGE_DOWNLOAD_TTL_SECONDS: { group: 'storage', schema: int(1, 604800), default: '3600', description: 'Cap for downloadUrl(ttlSeconds).' },
  STORAGE_MAX_UPLOAD_BYTES: { group: 'storage', schema: int(1, 5 * 1024 ** 3), default: String(100 * 1024 * 1024), description: 'Hard cap on any upload, whatever the namespace allows.' },
  STORAGE_TIMEOUT_MS: { group: 'storage', schema: int(100, 120000), default: '5000', description: "How long a storage call may wait for its answer to start, and then between bytes of it (a call is tried twice). Bulk calls (storage sync, the orphan sweep's listings and deletes) allow max(this, 120 s) of silence instead." },
  STORAGE_CIRCUIT_RESET_MS: { group: 'storage', schema: int(100, 600000), default: '10000', description: 'Once storage is found unreachable, calls fail fast for this long before a trial call.' },
  JWT_JWKS_URL: { group: 'auth', schema: jwksUrl, required: true, local: 'http://localhost:8084/.well-known/jwks.json', r2: 'from Vault', description: 'JWKS of the token issuer (RS256 keys).' },
  JWT_ISSUER: { group: 'auth', schema: text, minio: 'neotool-dev', description: 'Required `iss` claim, when set. Set it and JWT_AUDIENCE in production: unset, any token the JWKS keys signed is accepted, and the service warns at startup.' },
  JWT_AUDIENCE: { group: 'auth', schema: text, minio: 'neotool-assets', description: 'Required `aud` claim, when set (see JWT_ISSUER).' },
  JWT_JWKS_REFETCH_COOLDOWN_SECONDS: { group: 'auth', schema: int(0, 3600), default: '5', description: 'A token with an unknown key id refetches the JWKS at most this often, so new-key tokens may be refused this long after a key rotation.' },
  ASSET_CONFIG_PATH: { group: 'assets', schema: text, default: 'config/namespaces.yaml', description: 'Namespaces file (YAML).' },
  ASSET_IDEMPOTENCY_WINDOW_SECONDS: { group: 'assets', schema: int(1, 30 * 86400), default: '86400', description: 'How long an idempotency key returns the same asset.' },
  ASSET_CORS_ALLOWED_ORIGINS: { group: 'assets', schema: z.string(), default: '', minio: '*', description: 'Comma-separated origins allowed to call the API from browsers (`*`: any origin; empty: none). storage init sets the same on the buckets, or says how where storage has no bucket CORS (MinIO).' },
  ASSET_CONSOLE_ENABLED: { group: 'assets', schema: bool, default: 'false', description: 'Serve the web console at /console (upload, list, delete with a pasted token) and its namespaces list at /console/settings.json. On by default in dev mode.' },
  JOBS_ENABLED: { group: 'jobs', schema: bool, default: 'true', description: 'Run the background jobs (expire stale uploads, purge deleted assets, sweep orphaned objects) in this replica; safe on all replicas at once.' },
  JOB_BATCH_SIZE: { group: 'jobs', schema: int(1, 1000), default: '100', description: 'Rows the expiry and purge jobs claim at a time. (The orphan sweep lists 1,000 objects a call, the most S3 allows: listings are billed.)' },
  JOB_EXPIRE_INTERVAL_SECONDS: { group: 'jobs', schema: int(1, 86400), default: '60', description: 'How often PENDING uploads past their window are rescued (READY) or failed, and uploads left at staging keys removed once their URL has died (a PUT may come after confirm).' },
  JOB_EXPIRE_GRACE_SECONDS: { group: 'jobs', schema: int(0, 86400), default: '300', description: 'Extra time after an upload window closes before the job (or a create repeating its idempotency key) settles it, or the job removes a late upload (a PUT may still be streaming).' },
  JOB_PURGE_INTERVAL_SECONDS: { group: 'jobs', schema: int(1, 604800), default: '3600', description: 'How often DELETED assets past their retention are purged.' },
  ASSET_PURGE_DELETED_DAYS: { group: 'jobs', schema: int(0, 36500), default: '30', description: 'Days a DELETED asset row (who deleted it, when) is kept before it is purged.' },
  JOB_ORPHAN_INTERVAL_SECONDS: { group: 'jobs', schema: int(1, 604800), default: '21600', description: 'How often both buckets are listed for objects no live asset accounts for.' },
  ORPHAN_GRACE_SECONDS: { group: 'jobs', schema: int(0, 31536000), default: '86400', description: 'Objects younger than this are never taken for orphans.' },
  ORPHAN_DELETE: { group: 'jobs', schema: bool, default: 'false', description: 'Delete orphaned objects; when false they are only reported in the log (leftover uploads under ~uploads/ in the private bucket are deleted either way).' },
  RATE_LIMIT_UPLOADS_PER_HOUR: { group: 'limits', schema: int(0, Number.MAX_SAFE_INTEGER), description: 'Uploads (createAssetUpload) one owner may start per hour, across all replicas; 0 turns the limit off. Default: rateLimit.uploadsPerHour of the namespaces file (shipped: 1000).' },
  RATE_LIMIT_BURST_PER_MINUTE: { group: 'limits', schema: int(0, Number.MAX_SAFE_INTEGER), description: 'Uploads one owner may start per minute (the burst allowance of the hourly limit); 0 turns it off. Default: rateLimit.burstPerMinute of the namespaces file (shipped: 100).' },
  RATE_LIMIT_BYTES_PER_HOUR: { group: 'limits', schema: int(0, Number.MAX_SAFE_INTEGER), description: 'Bytes one owner may declare (sizeBytes of new uploads) per hour; 0 turns the limit off. Default: rateLimit.bytesPerHour of the namespaces file (shipped: 1073741824, 1 GiB).' },
  REDIS_URL: {
    group: 'limits',
    schema: redisUrl,
    example: 'redis://localhost:6379',
    secret: true,
    description:
      'Redis (redis://[:password@]host:port[/db], rediss:// for TLS) where the per-owner rate limits are counted, shared by all replicas; unset: they are counted in PostgreSQL. When set, Redis must answer at startup, /health/ready checks it, and while it is unreachable new uploads fail with REDIS_UNAVAILABLE.',
  },
  REDIS_TIMEOUT_MS: {
    group: 'limits',
    schema: int(50, 60000),
    default: '2000',
    description:
      'With REDIS_URL: how long connecting to Redis, and each call to it, may take before it counts as unreachable (the upload then fails with REDIS_UNAVAILABLE). Redis normally answers in well under a millisecond.',
  },
  STORAGE_QUOTA_BYTES_PER_OWNER: { group: 'limits', schema: int(0, Number.MAX_SAFE_INTEGER), description: 'Bytes one owner may hold in READY and PENDING assets (QUOTA_EXCEEDED beyond); 0 turns the quota off. Default: rateLimit.quotaBytes of the namespaces file (shipped: 10737418240, 10 GiB).' },
  OTEL_EXPORTER_OTLP_ENDPOINT: { group: 'tracing', schema: otlpUrl, example: 'http://localhost:4318', description: 'Turns tracing on: base URL of an OTLP receiver such as an OpenTelemetry Collector (e.g. http://otel-collector:4318; over HTTP spans go to its /v1/traces, with grpc to the URL itself, e.g. http://otel-collector:4317). Tracing is off while neither OTLP endpoint is set.' },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: { group: 'tracing', schema: otlpUrl, description: 'Turns tracing on: the full URL spans are posted to (e.g. http://otel-collector:4318/v1/traces); wins over OTEL_EXPORTER_OTLP_ENDPOINT.' },
  OTEL_EXPORTER_OTLP_PROTOCOL: { group: 'tracing', schema: otlpProtocol, example: 'http/protobuf', description: 'OTLP transport: http/protobuf (the default) or http/json to an OTLP/HTTP receiver (a collector\'s port 4318), or grpc to an OTLP/gRPC one (port 4317; the endpoint is then its base URL, e.g. http://otel-collector:4317).' },
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: { group: 'tracing', schema: otlpProtocol, description: 'Transport of spans; wins over OTEL_EXPORTER_OTLP_PROTOCOL.' },
  OTEL_EXPORTER_OTLP_HEADERS: { group: 'tracing', schema: text, secret: true, description: 'Headers sent with every export, as key=value pairs separated by commas (e.g. the API key of a tracing vendor).' },
  OTEL_SERVICE_NAME: { group: 'tracing', schema: text, default: 'neotool-assets', description: 'service.name of the spans.' },
  OTEL_RESOURCE_ATTRIBUTES: { group: 'tracing', schema: text, example: 'deployment.environment.name=local', description: 'More attributes of every span\'s resource, key=value pairs separated by commas (e.g. deployment.environment.name=production).' },
  OTEL_TRACES_SAMPLER: { group: 'tracing', schema: sampler, default: 'parentbased_always_on', description: 'Which traces are kept: always_on, always_off, traceidratio, or parentbased_* (follow an incoming traceparent\'s decision, else the named sampler).' },
  OTEL_TRACES_SAMPLER_ARG: { group: 'tracing', schema: ratio, example: '1', description: 'Share of traces kept by the traceidratio samplers, 0 to 1 (default 1).' },
  OTEL_SDK_DISABLED: { group: 'tracing', schema: bool, default: 'false', description: 'true turns tracing off, whatever else is set.' },
} satisfies Record<string, EnvVarSpec>;

export type EnvVarName = keyof typeof ENV_VARS;
