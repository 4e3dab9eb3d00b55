import type { RedisSettings } from '../limits/redis-connection.js';
import { ENV_VARS, type EnvVarName } from './env-schema.js';
import { noteSource, sourceOf } from './setting-sources.js';
import { StartupError } from './startup-error.js';
import { deriveStorageConfig, type StorageConfig } from './storage-config.js';
import { deriveTracingConfig, type TracingConfig } from './tracing-config.js';
import { UPLOAD_LIMIT_ENV_VARS, type UploadLimits } from './upload-limits.js';
import { shownUrl } from './shown-url.js';

export interface Config {
  port: number;
  host: string;
  logLevel: string;
  shutdownTimeoutMs: number;
  database: { connectionString: string; poolMax: number; migrationLockTimeoutSeconds: number };
  storage: StorageConfig;
  jwt: { jwksUrl: string; issuer?: string; audience?: string; refetchCooldownMs: number };
  assets: { configPath: string; idempotencyWindowSeconds: number; corsAllowedOrigins: string[]; consoleEnabled: boolean };
  jobs: JobsConfig;
  /** Where the rate limits are counted: Redis when REDIS_URL is set, else PostgreSQL. */
  redis?: RedisSettings;
  /** Limits set by environment variables; they override the namespaces file's `rateLimit` block. */
  uploadLimits: Partial<UploadLimits>;
  /** Set only when OpenTelemetry tracing is configured (OTEL_* variables). */
  tracing?: TracingConfig;
}

export interface JobsConfig {
  enabled: boolean;
  batchSize: number;
  expire: { intervalSeconds: number; graceSeconds: number };
  purge: { intervalSeconds: number; retentionDays: number };
  orphans: { intervalSeconds: number; graceSeconds: number; delete: boolean };
}

/** Thrown with every problem found, so an operator fixes the whole configuration in one go. */
export class ConfigError extends StartupError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export type Parsed = Partial<Record<EnvVarName, unknown>>;
const ALL_VARS = Object.keys(ENV_VARS) as EnvVarName[];

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const values = parseEnvVars(env, problems);
  const database = databaseConnection(values, problems);
  const storage = deriveStorageConfig(values, problems);
  if (problems.length > 0 || !storage || !database) throw new ConfigError(problems);
  return {
    port: values.PORT as number,
    host: values.HOST as string,
    logLevel: values.LOG_LEVEL as string,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS as number,
    database: { connectionString: database, poolMax: values.DATABASE_POOL_MAX as number, migrationLockTimeoutSeconds: values.DATABASE_MIGRATION_LOCK_TIMEOUT_SECONDS as number },
    storage,
    jwt: {
      jwksUrl: values.JWT_JWKS_URL as string,
      issuer: values.JWT_ISSUER as string | undefined,
      audience: values.JWT_AUDIENCE as string | undefined,
      refetchCooldownMs: (values.JWT_JWKS_REFETCH_COOLDOWN_SECONDS as number) * 1000,
    },
    assets: {
      configPath: values.ASSET_CONFIG_PATH as string,
      idempotencyWindowSeconds: values.ASSET_IDEMPOTENCY_WINDOW_SECONDS as number,
      corsAllowedOrigins: splitList(values.ASSET_CORS_ALLOWED_ORIGINS as string),
      consoleEnabled: values.ASSET_CONSOLE_ENABLED as boolean,
    },
    jobs: jobsConfig(values),
    redis: redisSettings(values),
    uploadLimits: uploadLimitOverrides(values),
    tracing: deriveTracingConfig(values),
  };
}

/** The Redis connection of REDIS_URL, with REDIS_TIMEOUT_MS as its connect and command timeout. */
export function redisSettings(values: Parsed): RedisSettings | undefined {
  return values.REDIS_URL === undefined ? undefined : { url: values.REDIS_URL as string, timeoutMs: values.REDIS_TIMEOUT_MS as number };
}

function uploadLimitOverrides(values: Parsed): Partial<UploadLimits> {
  const set = Object.entries(UPLOAD_LIMIT_ENV_VARS).filter(([, name]) => values[name] !== undefined);
  return Object.fromEntries(set.map(([limit, name]) => [limit, values[name] as number]));
}

function jobsConfig(values: Parsed): JobsConfig {
  return {
    enabled: values.JOBS_ENABLED as boolean,
    batchSize: values.JOB_BATCH_SIZE as number,
    expire: { intervalSeconds: values.JOB_EXPIRE_INTERVAL_SECONDS as number, graceSeconds: values.JOB_EXPIRE_GRACE_SECONDS as number },
    purge: { intervalSeconds: values.JOB_PURGE_INTERVAL_SECONDS as number, retentionDays: values.ASSET_PURGE_DELETED_DAYS as number },
    orphans: {
      intervalSeconds: values.JOB_ORPHAN_INTERVAL_SECONDS as number,
      graceSeconds: values.ORPHAN_GRACE_SECONDS as number,
      delete: values.ORPHAN_DELETE as boolean,
    },
  };
}

/** Parses the given settings (all by default): operator commands read only the part they need. */
export function parseEnvVars(env: NodeJS.ProcessEnv, problems: string[], names: readonly EnvVarName[] = ALL_VARS): Parsed {
  const values: Parsed = {};
  for (const name of names) {
    const spec = ENV_VARS[name];
    const raw = env[name] === '' && !('required' in spec) ? undefined : env[name];
    const value = raw ?? ('default' in spec ? spec.default : undefined);
    if (value === undefined) {
      if ('required' in spec && spec.required) problems.push(`${name} is required: ${spec.description}`);
      continue;
    }
    const result = spec.schema.safeParse(value);
    if (result.success) {
      values[name] = result.data;
      noteSource(values, name, raw === undefined ? 'default' : 'set');
    } else {
      noteSource(values, name, 'rejected');
      problems.push(`${name} ${problemWith(value, result.error.issues[0]?.message, 'secret' in spec)}`);
    }
  }
  return values;
}

/**
 * What is wrong with a value, and the value itself unless it is a secret. Only a required setting keeps an
 * empty value (an optional one is then unset): that is simply empty, and there is nothing to hide.
 */
function problemWith(value: string, message: string | undefined, secret: boolean): string {
  if (value === '') return 'must not be empty';
  return `${message ?? 'is invalid'} (got ${secret ? 'a hidden value' : JSON.stringify(shownUrl(value))})`;
}

export function databaseConnection(values: Parsed, problems: string[]): string | undefined {
  if (values.DATABASE_URL) return values.DATABASE_URL as string;
  if (!values.POSTGRES_HOST) {
    // A DATABASE_URL or POSTGRES_HOST that was set but is invalid has been reported already: it is not missing.
    const rejected = sourceOf(values, 'DATABASE_URL') === 'rejected' || sourceOf(values, 'POSTGRES_HOST') === 'rejected';
    if (!rejected) problems.push('DATABASE_URL or POSTGRES_HOST is required: say where PostgreSQL is (e.g. DATABASE_URL=postgres://user:pass@host:5432/db).');
    return undefined;
  }
  const url = new URL('postgres://placeholder');
  url.hostname = values.POSTGRES_HOST as string;
  url.port = String(values.POSTGRES_PORT);
  url.pathname = `/${values.POSTGRES_DB as string}`;
  url.username = encodeURIComponent(values.POSTGRES_USER as string);
  url.password = encodeURIComponent((values.POSTGRES_PASSWORD as string | undefined) ?? '');
  return url.toString();
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
