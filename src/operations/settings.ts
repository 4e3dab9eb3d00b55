import { ConfigError, databaseConnection, parseEnvVars, redisSettings, type Parsed } from '../config/config.js';
import { ENV_VARS, type EnvVarName } from '../config/env-schema.js';
import { deriveStorageConfig, type StorageConfig } from '../config/storage-config.js';
import type { RedisSettings } from '../limits/redis-connection.js';

/**
 * The service's settings, read one part at a time with the service's own schema: an operator
 * command that only talks to storage must not demand JWT or database settings.
 */
export type Loaded<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export interface StorageSettings {
  storage: StorageConfig;
  corsAllowedOrigins: string[];
}

const ALL = Object.keys(ENV_VARS) as EnvVarName[];
const STORAGE_VARS = ALL.filter((n) => n.startsWith('STORAGE_'));
const DATABASE_VARS = ALL.filter((n) => n === 'DATABASE_URL' || n === 'DATABASE_POOL_MAX' || n.startsWith('POSTGRES_'));
const JWT_VARS = ALL.filter((n) => n.startsWith('JWT_'));
const SERVICE_VARS = ALL.filter((n) => ![...STORAGE_VARS, ...DATABASE_VARS, ...JWT_VARS].includes(n));

/**
 * Storage settings from STORAGE_* (or, with a prefix, e.g. SRC_STORAGE_*, to describe a second
 * store for `storage sync`), plus the browser origins that bucket CORS must allow.
 */
export function loadStorageSettings(env: NodeJS.ProcessEnv, prefix = ''): Loaded<StorageSettings> {
  const problems: string[] = [];
  const values = parseEnvVars(withoutPrefix(env, prefix, [...STORAGE_VARS, 'ASSET_CORS_ALLOWED_ORIGINS']), problems, [...STORAGE_VARS, 'ASSET_CORS_ALLOWED_ORIGINS']);
  const storage = deriveStorageConfig(values, problems);
  if (problems.length > 0 || !storage) return { ok: false, problems: problems.map((p) => withPrefix(p, prefix)) };
  const corsAllowedOrigins = (values.ASSET_CORS_ALLOWED_ORIGINS as string).split(',').map((o) => o.trim()).filter(Boolean);
  return { ok: true, value: { storage, corsAllowedOrigins } };
}

export function loadDatabaseUrl(env: NodeJS.ProcessEnv): Loaded<string> {
  return loadGroup(env, DATABASE_VARS, databaseConnection);
}

export function loadJwksUrl(env: NodeJS.ProcessEnv): Loaded<string> {
  return loadGroup(env, JWT_VARS, (values) => values.JWT_JWKS_URL as string | undefined);
}

/** Everything else the service reads (port, log level, namespaces file...): checked; only the namespaces file and Redis are used here (doctor). */
export function loadServiceSettings(env: NodeJS.ProcessEnv): Loaded<ServiceSettings> {
  return loadGroup(env, SERVICE_VARS, (values) => ({
    namespacesFile: values.ASSET_CONFIG_PATH as string,
    redis: redisSettings(values),
  }));
}

export interface ServiceSettings {
  /** The namespaces file the service loads first at startup (ASSET_CONFIG_PATH; a relative path is from the working directory). */
  namespacesFile: string;
  /** Where the rate limits are counted, when REDIS_URL is set. */
  redis?: RedisSettings;
}

/** For commands: a setting problem stops them with the service's own ConfigError message. */
export function required<T>(loaded: Loaded<T>): T {
  if (!loaded.ok) throw new ConfigError(loaded.problems);
  return loaded.value;
}

function loadGroup<T>(env: NodeJS.ProcessEnv, names: EnvVarName[], build: (values: Parsed, problems: string[]) => T | undefined): Loaded<T> {
  const problems: string[] = [];
  const value = build(parseEnvVars(env, problems, names), problems);
  return problems.length > 0 || value === undefined ? { ok: false, problems } : { ok: true, value };
}

function withoutPrefix(env: NodeJS.ProcessEnv, prefix: string, names: EnvVarName[]): NodeJS.ProcessEnv {
  if (!prefix) return env;
  return Object.fromEntries(names.map((name) => [name, env[`${prefix}${name}`]]));
}

/** Problems name the variables the operator actually set, e.g. SRC_STORAGE_HOSTNAME. */
function withPrefix(problem: string, prefix: string): string {
  return prefix ? problem.replace(/\b(STORAGE_[A-Z_]+|ASSET_CORS_ALLOWED_ORIGINS)\b/g, `${prefix}$1`) : problem;
}
