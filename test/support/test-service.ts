import { PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import type { Logger } from 'pino';
import { startService, type RunningService } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { adminS3, createBuckets, createDatabase, deleteBuckets, endPool, requireEnv, s3Endpoint, uniqueName } from './infra.js';
import { TEST_AUDIENCE, TEST_ISSUER, TestIssuer } from './test-issuer.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors?: { message: string; extensions: { code: string; [k: string]: unknown } }[];
}

/** What a test service runs against: a token issuer, buckets and a database of its own, or shared with another instance. */
export interface TestInfra {
  issuer: TestIssuer;
  s3: S3Client;
  publicBucket: string;
  privateBucket: string;
  databaseUrl: string;
}

export interface TestService extends TestInfra {
  url: string;
  db: pg.Pool;
  env: Record<string, string>;
  running: RunningService;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** A token for `sub` with all permissions (or the given ones). */
  token(sub?: string, permissions?: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Environment of a service against the real test PostgreSQL and S3 server, with its own buckets and database. */
export function serviceEnv(databaseUrl: string, jwksUrl: string, publicBucket: string, privateBucket: string): Record<string, string> {
  const endpoint = s3Endpoint();
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    STORAGE_HOSTNAME: endpoint.hostname,
    STORAGE_PORT: endpoint.port,
    STORAGE_USE_HTTPS: 'false',
    STORAGE_REGION: process.env.TEST_S3_REGION ?? 'us-east-1',
    STORAGE_FORCE_PATH_STYLE: 'true',
    STORAGE_ACCESS_KEY: requireEnv('TEST_S3_ACCESS_KEY'),
    STORAGE_SECRET: requireEnv('TEST_S3_SECRET_KEY'),
    STORAGE_PUBLIC_BUCKET: publicBucket,
    STORAGE_PRIVATE_BUCKET: privateBucket,
    JWT_JWKS_URL: jwksUrl,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
  };
}

/** A public-read policy, as `storage init` sets it on the public bucket. */
export function publicReadPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }],
  });
}

/** serviceEnv for the issuer, buckets and database of `infra`. */
export function infraEnv(infra: TestInfra): Record<string, string> {
  return serviceEnv(infra.databaseUrl, infra.issuer.jwksUrl, infra.publicBucket, infra.privateBucket);
}

/** Starts the service on its own buckets and database; whatever was set up is torn down again if the start fails. */
export interface TestServiceOptions {
  logger?: Logger;
  /** Last say over the service's environment, e.g. to route it through a TcpProxy. */
  adjustEnv?: (env: Record<string, string>) => Record<string, string>;
  /** The issuer, buckets and database of another service (a second replica) or of ownInfra(); they stay its to tear down. */
  shareWith?: TestInfra;
}

export async function startTestService(overrides: Record<string, string> = {}, options: TestServiceOptions = {}): Promise<TestService> {
  const teardown: TeardownSteps = [];
  const stop = () => tearDown(teardown);
  try {
    const infra = options.shareWith ?? (await provisionInfra(teardown));
    const { issuer, databaseUrl } = infra;
    const base = { ...infraEnv(infra), ...overrides };
    const env = options.adjustEnv ? options.adjustEnv(base) : base;
    const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    db.on('error', () => undefined); // an idle connection lost to a database restart is not a test failure
    teardown.push(() => endPool(db));
    const running = await startService(loadConfig(env), options.logger);
    teardown.push(() => running.close());
    return {
      issuer,
      s3: infra.s3,
      publicBucket: infra.publicBucket,
      privateBucket: infra.privateBucket,
      databaseUrl,
      url: running.url,
      db,
      env,
      running,
      token: (sub = 'user-1', permissions) => issuer.token({ sub, permissions }),
      gql: (query, variables = {}, token) => postGraphQL(running.url, query, variables, token),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A default service and a token of `subject` on it: the set-up of most suites. */
export async function startServiceFor(subject: string): Promise<{ svc: TestService; token: string }> {
  const svc = await startTestService();
  return { svc, token: await svc.token(subject) };
}

/** A service and a second replica of it (same database, buckets and issuer); `stop` stops both. */
export async function startReplicaPair(env: Record<string, string>): Promise<{ svc: TestService; replica: TestService; stop(): Promise<void> }> {
  const svc = await startTestService(env);
  const replica = await startTestService(env, { shareWith: svc }).catch(async (error: unknown) => {
    await svc.stop();
    throw error;
  });
  return { svc, replica, stop: async () => (await replica.stop(), await svc.stop()) };
}

export type TeardownSteps = (() => Promise<unknown>)[];

/** Undoes set-up steps, newest first; a step that fails does not keep the others from running. */
export async function tearDown(steps: TeardownSteps): Promise<void> {
  for (const step of steps.reverse()) await step().catch(() => undefined);
}

/** Infra of its own for a file that runs the service another way (as a real process, say); `release()` removes it. */
export async function ownInfra(): Promise<TestInfra & { release(): Promise<void> }> {
  const teardown: TeardownSteps = [];
  const release = () => tearDown(teardown);
  try {
    return { ...(await provisionInfra(teardown)), release };
  } catch (error) {
    await release();
    throw error;
  }
}

/** A token issuer, two buckets (the public one publicly readable, as `storage init` leaves it) and a database. */
export async function provisionInfra(teardown: TeardownSteps): Promise<TestInfra> {
  const issuer = await new TestIssuer().start();
  teardown.push(() => issuer.stop());
  const s3 = adminS3();
  teardown.push(async () => s3.destroy());
  const publicBucket = uniqueName('pub');
  const privateBucket = uniqueName('priv');
  await createBuckets(s3, publicBucket, privateBucket);
  teardown.push(() => deleteBuckets(s3, publicBucket, privateBucket));
  await s3.send(new PutBucketPolicyCommand({ Bucket: publicBucket, Policy: publicReadPolicy(publicBucket) }));
  const database = await createDatabase();
  teardown.push(() => database.drop());
  return { issuer, s3, publicBucket, privateBucket, databaseUrl: database.url };
}

/** A GraphQL POST: the HTTP status and the body. Without the headers, so that tests can compare answers whole. */
export async function postGraphQL(url: string, query: string, variables: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<any>> {
  const { headers: _headers, ...response } = await postGraphQLWithHeaders(url, query, variables, token);
  return response;
}

/** postGraphQL's answer with the HTTP headers too (WWW-Authenticate, Retry-After), for a test that reads them. */
export async function postGraphQLWithHeaders(url: string, query: string, variables: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<any> & { headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as Omit<GraphQLResponse, 'status'>;
  return { status: res.status, headers: res.headers, ...body };
}
