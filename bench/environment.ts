import { adminS3, createBuckets, createDatabase, deleteBuckets, uniqueName } from '../test/support/infra.js';
import { serviceEnv } from '../test/support/test-service.js';
import { TestIssuer } from '../test/support/test-issuer.js';
import type { Cleanup } from './cleanup.js';
import { serviceNodeFlags, type BenchSettings } from './settings.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';

export interface BenchEnvironment {
  service: ServiceProcess;
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
  const env = { ...serviceEnv(database.url, issuer.jwksUrl, publicBucket, privateBucket), LOG_LEVEL: 'warn', ...settings.serviceEnv };
  const service = await startServiceProcess(env, serviceNodeFlags(settings));
  cleanup.add(() => service.stop());
  const owners = Array.from({ length: settings.users }, (_, i) => `bench-user-${i + 1}`);
  const tokens = await Promise.all(owners.map((sub) => issuer.token({ sub, expiresInSeconds: 3600 })));
  return { service, tokens, owners };
}
