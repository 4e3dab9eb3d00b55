import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import pg from 'pg';

/** The real PostgreSQL and S3 server started by scripts/test.sh (scripts/infra/up.sh). */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with "npm test", which starts PostgreSQL and the S3 server.`);
  return value;
}

export function s3Endpoint(): URL {
  return new URL(requireEnv('TEST_S3_ENDPOINT'));
}

/** The test gateway's second user (up.sh makes it: TEST_S3_ACCESS_KEY_2): valid credentials with no grant on the first user's buckets. */
export function secondS3User(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: requireEnv('TEST_S3_ACCESS_KEY_2'), secretAccessKey: requireEnv('TEST_S3_SECRET_KEY_2') };
}

/** An S3 client of the test gateway's first user, or of `user` (such as secondS3User()). */
export function adminS3(user = { accessKeyId: requireEnv('TEST_S3_ACCESS_KEY'), secretAccessKey: requireEnv('TEST_S3_SECRET_KEY') }): S3Client {
  return new S3Client({
    endpoint: requireEnv('TEST_S3_ENDPOINT'),
    region: process.env.TEST_S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: user,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export async function createBuckets(s3: S3Client, ...buckets: string[]): Promise<void> {
  for (const bucket of buckets) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Empties (page by page: a listing returns at most 1,000 keys) and deletes each bucket. */
export async function deleteBuckets(s3: S3Client, ...buckets: string[]): Promise<void> {
  for (const bucket of buckets) {
    for (;;) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => undefined);
      const objects = (listed?.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (objects.length === 0) break;
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    }
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  }
}

/** A fresh database per test file, so files never see each other's rows. */
export async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = requireEnv('TEST_DATABASE_URL');
  const name = uniqueName('assets_test').replace(/-/g, '_');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * Ends a pool and waits until each of its connections has closed. pool.end() resolves as soon as it has
 * asked its clients to end; a DROP DATABASE ... WITH (FORCE) right after can still reach a backend that
 * has not read the goodbye yet, and its "terminating connection" message then reaches a client the pool
 * no longer listens to: an uncaught 'error' after the test ended, which fails the whole file.
 */
export async function endPool(pool: pg.Pool): Promise<void> {
  const open = pool.totalCount;
  let removed = 0;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => ++removed === open && resolve());
  });
  await pool.end();
  await closed;
}

/** A local port nobody listens on (taken and released again): connections to it are refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A storage endpoint that accepts TCP connections and then never answers: a firewall or proxy that swallows the traffic. */
export async function silentEndpoint(): Promise<{ port: number; accepted(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
