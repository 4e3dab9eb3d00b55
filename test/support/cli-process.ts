import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the URL the service logs once it listens; rejects when the process exits first or the time is up. */
  listening(timeoutMs?: number): Promise<string>;
  /**
   * SIGTERM, as Kubernetes stops a pod: resolves with the exit code. With `timeoutMs`, a process still running
   * that long after the signal is SIGKILLed, and the promise rejects with what it printed.
   */
  terminate(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL if the process is still running, and its exit: so that a failed step leaves no process behind. */
  kill(): Promise<void>;
  exitCode(): Promise<number | null>;
}

const LISTENING = /Server listening at (http:\/\/[^"]+)/;

/** This checkout's CLI, what `npm run <command>` runs. */
const BIN = fileURLToPath(new URL('../../bin/neotool-assets.js', import.meta.url));

/**
 * Node's own options in one of package.json's scripts (`node <flags> bin/neotool-assets.js <command...>`),
 * for `nodeFlags`: the CLI then runs as `npm run <script>` runs it. Throws when the script has another shape.
 */
export function npmScriptNodeFlags(script: string, command: string[]): string[] {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  const line = packageJson.scripts[script];
  const [node, ...rest] = line?.split(' ') ?? [];
  const tail = ['bin/neotool-assets.js', ...command];
  if (node !== 'node' || rest.slice(-tail.length).join(' ') !== tail.join(' ')) {
    throw new Error(`package.json's "${script}" script is ${JSON.stringify(line)}, not "node <flags> ${tail.join(' ')}"`);
  }
  return rest.slice(0, -tail.length);
}

/** A new working directory holding nothing but a `.env` with `settings` (NAME=value lines); `remove()` deletes it. */
export async function directoryWithDotEnv(settings: Record<string, string>): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dotenv-'));
  await writeFile(path.join(dir, '.env'), Object.entries(settings).map(([name, value]) => `${name}=${value}\n`).join(''));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface CliOptions {
  /** Working directory (default: this process's), where the CLI finds `.data/` in dev mode. */
  cwd?: string;
  /** The CLI to run, relative to `cwd` (another copy, such as the image's); default this checkout's. */
  bin?: string;
  /** Node's own options, before the CLI (as npm start gives them). */
  nodeFlags?: string[];
}

/** Starts `neotool-assets <args>` as a real child process, as an operator or Kubernetes would, with only the given environment (plus PATH). */
export function startCli(args: string[], env: Record<string, string | undefined>, options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), options.bin ?? BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  // 'close', not 'exit': only then has all the process printed arrived, so stdout() is whole once it resolves.
  const exited = once(child, 'close').then(([code]) => code as number | null);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exitCode: () => exited,
    terminate: async (timeoutMs) => {
      child.kill('SIGTERM');
      if (timeoutMs === undefined) return exited;
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`still running ${timeoutMs} ms after SIGTERM; stdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, hung]);
      } finally {
        clearTimeout(timer);
      }
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    listening: (timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${LISTENING} within ${timeoutMs} ms; stdout: ${out}\nstderr: ${err}`)), timeoutMs);
        const check = () => {
          const url = LISTENING.exec(out)?.[1];
          if (!url) return;
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve(url);
        };
        child.stdout!.on('data', check);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code} before ${LISTENING}; stdout: ${out}\nstderr: ${err}`));
        });
        check();
      }),
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`, default 2 minutes) and returns what it printed. */
export async function runCli(args: string[], env: Record<string, string | undefined>, options: CliOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  const { timeoutMs = 120_000, ...where } = options;
  const cli = startCli(args, env, where);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  const code = await cli.exitCode();
  clearTimeout(timer);
  return { code: code ?? 1, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** The service environment reduced to what storage commands read: no database, no JWT settings. */
export function storageOnly(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('STORAGE_') || name.startsWith('ASSET_')));
}
