import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultDataDir } from './data-dir.js';
import { assertPortFree } from './ports.js';
import { RecentOutput } from './recent-output.js';

const DEV_PUBLIC_BUCKET = 'neotool-assets-public';
const DEV_PRIVATE_BUCKET = 'neotool-assets-private';
const HOST = '127.0.0.1';
// s3rver's built-in account. It checks the access key but not V4 signatures, and serves every object to anyone.
const ACCESS_KEY = 'S3RVER';
const SECRET = 'S3RVER';
// In dev, browsers upload straight to presigned URLs and show public URLs from any origin.
const CORS_XML = `<CORSConfiguration><CORSRule>
  <AllowedOrigin>*</AllowedOrigin>
  <AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
  <AllowedHeader>*</AllowedHeader>
  <ExposeHeader>ETag</ExposeHeader>
</CORSRule></CORSConfiguration>
`;
// Runs s3rver's CLI, and exits when the IPC channel to the parent closes: that also happens when the parent is SIGKILLed.
const EXIT_WITH_PARENT = "process.on('disconnect', () => process.exit(0)); require(process.argv[1]);";

export interface EmbeddedS3Options {
  /** Parent of the `s3` data folder; default .data/ */
  dataDir?: string;
  port?: number;
}

export interface RunningS3 {
  endpoint: { hostname: string; port: number; useHttps: false };
  accessKey: string;
  secret: string;
  publicBucket: string;
  privateBucket: string;
  publicBasePath: string;
  stop(): Promise<void>;
}

/** A local S3 server (s3rver) in a child process, with both buckets created and the objects kept on disk. */
export async function startEmbeddedS3({ dataDir = defaultDataDir(), port = 9000 }: EmbeddedS3Options = {}): Promise<RunningS3> {
  await assertPortFree(port, 'S3 server', 'DEV_S3_PORT');
  const output = new RecentOutput();
  const server = spawnS3rver(await prepareDataDir(dataDir), port, output);
  await waitUntilAnswering(`http://${HOST}:${port}/${DEV_PUBLIC_BUCKET}`, server, output).catch(async (error: unknown) => {
    await stopChild(server);
    throw error;
  });
  return {
    endpoint: { hostname: HOST, port, useHttps: false },
    accessKey: ACCESS_KEY,
    secret: SECRET,
    publicBucket: DEV_PUBLIC_BUCKET,
    privateBucket: DEV_PRIVATE_BUCKET,
    publicBasePath: `http://${HOST}:${port}/${DEV_PUBLIC_BUCKET}`,
    stop: () => stopChild(server),
  };
}

async function prepareDataDir(dataDir: string): Promise<{ objectsDir: string; corsFile: string }> {
  const objectsDir = path.join(dataDir, 's3');
  await mkdir(objectsDir, { recursive: true });
  // s3rver reads bucket configuration from files only; kept beside, not inside, the folder whose subfolders are buckets.
  const corsFile = path.join(dataDir, 's3-bucket-cors.xml');
  await writeFile(corsFile, CORS_XML);
  return { objectsDir, corsFile };
}

function spawnS3rver({ objectsDir, corsFile }: { objectsDir: string; corsFile: string }, port: number, output: RecentOutput): ChildProcess {
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const buckets = [DEV_PUBLIC_BUCKET, DEV_PRIVATE_BUCKET].flatMap((bucket) => ['--configure-bucket', bucket, corsFile]);
  // --openssl-legacy-provider was found necessary for s3rver's listings under OpenSSL 3 (Node 20.20 lists fine without it); it costs nothing.
  const args = ['--openssl-legacy-provider', '-e', EXIT_WITH_PARENT, '--', bin, '-d', objectsDir, '-a', HOST, '-p', String(port), '--silent', ...buckets];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  child.stdout?.on('data', (chunk: Buffer) => output.add(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.add(chunk));
  return child;
}

/** Any HTTP answer will do: s3rver creates the buckets before it starts listening. */
async function waitUntilAnswering(url: string, server: ChildProcess, output: RecentOutput, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(url))) {
    if (hasExited(server)) throw new Error(`The dev S3 server (s3rver) exited during startup. Its output:\n${output}`);
    if (Date.now() > deadline) throw new Error(`The dev S3 server (s3rver) did not answer at ${url} within ${timeoutMs} ms. Its output:\n${output}`);
    await sleep(25);
  }
}

function answers(url: string): Promise<boolean> {
  return fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const forceKill = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(forceKill);
}
