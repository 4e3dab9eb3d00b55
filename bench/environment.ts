import { adminS3, createBuckets, createDatabase, deleteBuckets, requireEnv, uniqueName } from '../test/support/infra.js';
import { serviceEnv } from '../test/support/test-service.js';
import { TestIssuer } from '../test/support/test-issuer.js';
import type { Cleanup } from './cleanup.js';
import { databaseCpuReader, type BackendCpu } from './database-cpu.js';
import { serviceNodeFlags, type BenchSettings } from './settings.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';

/**
 * Every upload limit stays on, so its cost is measured, but high enough never to refuse: a handful of
 * users creating thousands of uploads a second is load, not abuse. BENCH_SERVICE_ENV can set them
 * to 0 (off) to see what they cost.
 */
const NEVER_REFUSING_LIMITS = {
  RATE_LIMIT_UPLOADS_PER_HOUR: String(1e12),
  RATE_LIMIT_BURST_PER_MINUTE: String(1e12),
  RATE_LIMIT_BYTES_PER_HOUR: String(1e15),
  STORAGE_QUOTA_BYTES_PER_OWNER: String(1e15),
};

export interface BenchEnvironment {
  service: ServiceProcess;
  /** CPU of the PostgreSQL backends serving the service, when PostgreSQL is local. */
  databaseCpu?: () => Promise<BackendCpu>;
  /** One pre-signed token per simulated user; owners[i] is the subject of tokens[i]. */
  tokens: string[];
  owners: string[];
}

/**
 * A service of its own against the real PostgreSQL and S3 server (own database, own buckets) and a
 * real RS256 JWKS issuer. Each thing set up registers its undoing with `cleanup` at once.
 */
export async function setUpEnvironment(settings: BenchSettings, cleanup: Cleanup): Promise<BenchEnvironment> {
  // The issuer lives in the load generator's process: the service fetches its JWKS once, and the
  // tokens are signed before the clock starts.
  const issuer = await new TestIssuer().start();
  cleanup.add(() => issuer.stop());
  const s3 = adminS3();
  cleanup.add(async () => s3.destroy());
  const [publicBucket, privateBucket] = [uniqueName('bench-pub'), uniqueName('bench-priv')];
  cleanup.add(() => deleteBuckets(s3, publicBucket, privateBucket));
  await createBuckets(s3, publicBucket, privateBucket);
  const database = await createDatabase();
  cleanup.add(() => database.drop());
  const env = { ...serviceEnv(database.url, issuer.jwksUrl, publicBucket, privateBucket), LOG_LEVEL: 'warn', ...NEVER_REFUSING_LIMITS, ...settings.serviceEnv };
  const service = await startServiceProcess(env, serviceNodeFlags(settings));
  cleanup.add(() => service.stop());
  const databaseCpu = await databaseCpuReader(requireEnv('TEST_DATABASE_URL'), database.url, cleanup);
  const owners = Array.from({ length: settings.users }, (_, i) => `bench-user-${i + 1}`);
  const tokens = await Promise.all(owners.map((sub) => issuer.token({ sub, expiresInSeconds: 3600 })));
  return { service, databaseCpu, tokens, owners };
}
