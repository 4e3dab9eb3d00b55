import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../support/eventually.js';

const BIN = fileURLToPath(new URL('../../../bin/neotool-assets.js', import.meta.url));
const NAMESPACES = fileURLToPath(new URL('../../../config/namespaces.yaml', import.meta.url));

export interface RunningDevCommand {
  url: string;
  /** Its scratch working directory: .data/ in it holds the dev signing key that `neotool-assets token` run here uses. */
  cwd: string;
  /** What the process printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `neotool-assets dev` as a developer runs it, in a scratch working directory (so its .data/ is its
 * own) on free ports, with `settings` added to its environment; resolves once it printed where the console is.
 */
export async function startDevCommand(settings: Record<string, string> = {}, timeoutMs = 120_000): Promise<RunningDevCommand> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'e2e-dev-'));
  const [port, postgres, s3, jwks] = await freePorts(4);
  const ports = { PORT: String(port), DEV_POSTGRES_PORT: String(postgres), DEV_S3_PORT: String(s3), DEV_JWKS_PORT: String(jwks) };
  const env = { ...process.env, ...ports, ASSET_CONFIG_PATH: NAMESPACES, LOG_LEVEL: 'warn', ...settings };
  const child = spawn(process.execPath, [BIN, 'dev'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    await stopChild(child);
    await rm(cwd, { recursive: true, force: true });
  };
  try {
    await eventually(() => started(child, output), () => `the dev command to start:\n${output}`, { timeoutMs });
  } catch (error) {
    await stop();
    throw error;
  }
  // The service listens on 127.0.0.1 only; "localhost" in the banner may resolve to ::1 first.
  return { url: `http://127.0.0.1:${port}`, cwd, output: () => output, stop };
}

/** Whether the dev command printed where the console is; throws once it has exited instead. */
function started(child: ChildProcess, output: string): boolean {
  if (child.exitCode !== null) throw new Error(`the dev command exited with ${child.exitCode}:\n${output}`);
  return /Console\s+http:\/\/\S+\/console\//.test(output);
}

/** SIGTERM is the dev command's own shutdown (service, PostgreSQL, S3 server, JWKS); SIGKILL only if it hangs. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = net.createServer().listen(0, '127.0.0.1');
      await once(server, 'listening');
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
