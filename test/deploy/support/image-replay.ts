import { execSync } from 'node:child_process';
import { cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { runCommand, type Stage } from './dockerfile.js';

/** The runtime stage's file system, rebuilt without Docker: where its WORKDIR landed and its ENV. */
export interface ReplayedImage {
  workdir: string;
  env: Record<string, string>;
}

interface StageState {
  root: string;
  workdir: string;
  env: Record<string, string>;
}

/**
 * Replays each stage's WORKDIR, ENV and COPY steps into a folder per stage under `into`, and its npm
 * commands (npm ci, npm run build) in that folder, exactly as written. Other RUN lines (apt-get) set up
 * the base image, not the application, and are left out.
 */
export async function replayDockerfile(stages: Stage[], context: string, into: string): Promise<ReplayedImage> {
  const done = new Map<string, StageState>();
  let state: StageState | undefined;
  for (const [index, stage] of stages.entries()) {
    state = { root: path.join(into, `stage-${index}`), workdir: '/', env: {} };
    await mkdir(state.root, { recursive: true });
    for (const { keyword, args } of stage.instructions) await replay(keyword, args, state, context, done);
    done.set(stage.name ?? String(index), state);
  }
  if (!state) throw new Error('the Dockerfile has no stage');
  return { workdir: inStage(state, state.workdir), env: state.env };
}

async function replay(keyword: string, args: string, state: StageState, context: string, done: Map<string, StageState>): Promise<void> {
  if (keyword === 'WORKDIR') {
    state.workdir = path.posix.resolve(state.workdir, args);
    await mkdir(inStage(state, state.workdir), { recursive: true });
  } else if (keyword === 'ENV') {
    const [name = '', ...value] = args.split('=');
    state.env[name] = value.join('=');
  } else if (keyword === 'COPY') {
    await copy(args, state, context, done);
  } else if (keyword === 'RUN' && runCommand(args).startsWith('npm ')) {
    runNpm(runCommand(args), inStage(state, state.workdir), state.env);
  }
}

function runNpm(command: string, cwd: string, env: Record<string, string>): void {
  try {
    execSync(command, { cwd, stdio: 'pipe', env: { ...process.env, ...env } });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`RUN ${command} failed:\n${stdout}${stderr}`);
  }
}

async function copy(args: string, state: StageState, context: string, done: Map<string, StageState>): Promise<void> {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  const destination = path.posix.resolve(state.workdir, paths.at(-1) ?? '.');
  const sourceStage = from === undefined ? undefined : done.get(from);
  if (from !== undefined && !sourceStage) throw new Error(`COPY --from=${from}: no earlier stage of that name`);
  for (const source of paths.slice(0, -1)) {
    const origin = sourceStage ? inStage(sourceStage, path.posix.resolve(sourceStage.workdir, source)) : path.join(context, source);
    // As Docker does: a folder's contents go into the destination; a file goes into it when it names a folder.
    const intoFolder = !(await stat(origin)).isDirectory() && (paths.length > 2 || (paths.at(-1) ?? '').endsWith('/'));
    await cp(origin, inStage(state, intoFolder ? path.posix.join(destination, path.posix.basename(source)) : destination), { recursive: true });
  }
}

function inStage(state: StageState, containerPath: string): string {
  return path.join(state.root, containerPath);
}
