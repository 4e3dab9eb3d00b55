import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../bin/neotool-assets.js', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const KEPT_OUTPUT_CHARS = 4000;

export interface ServiceProcess {
  url: string;
  pid: number;
  /** SIGTERM (graceful: in-flight requests finish, a CPU profile is written), SIGKILL if it hangs. */
  stop(): Promise<void>;
}

/**
 * The service in its own Node process, exactly as operators run it (`neotool-assets serve`), so
 * the load generator never shares its event loop. Its output is kept to explain a failed start.
 */
export async function startServiceProcess(env: Record<string, string>, nodeFlags: string[]): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, CLI, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = keepRecentOutput(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilLive(url, child, output);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function keepRecentOutput(child: ChildProcess): () => string {
  let recent = '';
  const keep = (chunk: Buffer) => {
    recent = (recent + chunk.toString()).slice(-KEPT_OUTPUT_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // Node's own warnings are worth seeing; the service's log (stdout) is shown only if it fails to start.
  child.stderr?.pipe(process.stderr);
  return () => recent;
}

async function waitUntilLive(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode} during startup:\n${output()}`);
    const live = await fetch(`${url}/health/live`).then((res) => res.ok, () => false);
    if (live) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the service did not answer ${url}/health/live within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
