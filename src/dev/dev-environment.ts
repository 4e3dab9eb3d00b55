import { defaultDataDir } from './data-dir.js';
import type { DevModeSetting } from './dev-mode-guard.js';
import { DEV_AUDIENCE, DEV_ISSUER, startJwksServer, type RunningJwksServer } from './dev-token-issuer.js';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.js';
import { startEmbeddedS3, type RunningS3 } from './embedded-s3.js';
import { portSetting } from './ports.js';

export interface DevPorts {
  postgres?: number;
  s3?: number;
  jwks?: number;
}

export interface DevEnvironmentOptions {
  /** Where PostgreSQL, the S3 objects and the dev keys live; default .data/ */
  dataDir?: string;
  /** Ports override DEV_POSTGRES_PORT, DEV_S3_PORT and DEV_JWKS_PORT, which override 54320, 9000 and 8084. */
  ports?: DevPorts;
}

export interface DevEnvironment {
  /** The service's configuration variables, pointing at the embedded services. */
  env: Record<string, string>;
  /** Stops everything in reverse order; never throws, safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the three services side by side (a cold start is dominated by PostgreSQL's initdb). */
export async function startDevEnvironment({ dataDir = defaultDataDir(), ports = {} }: DevEnvironmentOptions = {}): Promise<DevEnvironment> {
  const port = { ...portsFromEnv(process.env), ...ports };
  const [postgres, s3, jwks] = await Promise.allSettled([
    startEmbeddedPostgres({ dataDir, port: port.postgres }),
    startEmbeddedS3({ dataDir, port: port.s3 }),
    startJwksServer({ dataDir, port: port.jwks }),
  ]);
  const stop = stopOnce([postgres, s3, jwks].flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])));
  if (postgres.status === 'rejected' || s3.status === 'rejected' || jwks.status === 'rejected') {
    await stop();
    throw startFailure([postgres, s3, jwks].flatMap((result) => (result.status === 'rejected' ? [result.reason] : [])));
  }
  return { env: serviceEnv(postgres.value, s3.value, jwks.value), stop };
}

function portsFromEnv(env: NodeJS.ProcessEnv): DevPorts {
  return { postgres: portSetting(env, 'DEV_POSTGRES_PORT'), s3: portSetting(env, 'DEV_S3_PORT'), jwks: portSetting(env, 'DEV_JWKS_PORT') };
}

/** Every problem at once (say two ports taken), so that one fix is not followed by the next error. */
function startFailure(reasons: unknown[]): unknown {
  if (reasons.length === 1) return reasons[0];
  return new Error(reasons.map((reason) => (reason instanceof Error ? reason.message : String(reason))).join('\n'));
}

function serviceEnv(postgres: RunningPostgres, s3: RunningS3, jwks: RunningJwksServer): Record<DevModeSetting, string> {
  return {
    DATABASE_URL: postgres.databaseUrl,
    STORAGE_HOSTNAME: s3.endpoint.hostname,
    STORAGE_PORT: String(s3.endpoint.port),
    STORAGE_USE_HTTPS: String(s3.endpoint.useHttps),
    STORAGE_REGION: 'us-east-1',
    STORAGE_FORCE_PATH_STYLE: 'true',
    STORAGE_ACCESS_KEY: s3.accessKey,
    STORAGE_SECRET: s3.secret,
    STORAGE_PUBLIC_BUCKET: s3.publicBucket,
    STORAGE_PRIVATE_BUCKET: s3.privateBucket,
    STORAGE_PUBLIC_BASE_PATH: s3.publicBasePath,
    JWT_JWKS_URL: jwks.jwksUrl,
    JWT_ISSUER: DEV_ISSUER,
    JWT_AUDIENCE: DEV_AUDIENCE,
  };
}

function stopOnce(services: { stop(): Promise<void> }[]): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= stopInReverse(services));
}

async function stopInReverse(services: { stop(): Promise<void> }[]): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service.stop();
    } catch (error) {
      process.stderr.write(`dev: a service did not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}
