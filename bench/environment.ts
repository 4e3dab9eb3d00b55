import { adminS3, createBuckets, createDatabase, deleteBuckets, uniqueName } from '../test/support/infra.js';
import { serviceEnv } from '../test/support/test-service.js';
import { TestIssuer } from '../test/support/test-issuer.js';
import { serviceNodeFlags, type BenchSettings } from './settings.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';

export interface BenchEnvironment {
  service: ServiceProcess;
  /** One pre-signed token per simulated user; owners[i] is the subject of tokens[i]. */
  tokens: string[];
  owners: string[];
  teardown(): Promise<void>;
}

/**
 * A service of its own against the real PostgreSQL and S3 server (own database, own buckets) and a
 * real RS256 JWKS issuer. Whatever was set up is torn down again, also when a later step fails.
 */
export async function setUpEnvironment(settings: BenchSettings): Promise<BenchEnvironment> {
  const steps: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    // splice: a second call (Ctrl-C during teardown) finds nothing left to do.
    for (const step of steps.splice(0).reverse()) await step().catch((error: unknown) => console.error(`bench: teardown step failed: ${String(error)}`));
  };
  try {
    // The issuer lives in the load generator's process: the service fetches its JWKS once, and the
    // tokens are signed before the clock starts.
    const issuer = await new TestIssuer().start();
    steps.push(() => issuer.stop());
    const s3 = adminS3();
    steps.push(async () => s3.destroy());
    const [publicBucket, privateBucket] = [uniqueName('bench-pub'), uniqueName('bench-priv')];
    await createBuckets(s3, publicBucket, privateBucket);
    steps.push(() => deleteBuckets(s3, publicBucket, privateBucket));
    const database = await createDatabase();
    steps.push(() => database.drop());
    const env = { ...serviceEnv(database.url, issuer.jwksUrl, publicBucket, privateBucket), LOG_LEVEL: 'warn', ...settings.serviceEnv };
    const service = await startServiceProcess(env, serviceNodeFlags(settings));
    steps.push(() => service.stop());
    const owners = Array.from({ length: settings.users }, (_, i) => `bench-user-${i + 1}`);
    const tokens = await Promise.all(owners.map((sub) => issuer.token({ sub, expiresInSeconds: 3600 })));
    return { service, tokens, owners, teardown };
  } catch (error) {
    await teardown();
    throw error;
  }
}
