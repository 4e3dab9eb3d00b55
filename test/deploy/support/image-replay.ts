import { exec } from 'node:child_process';
import { cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseCopy, runCommand, type Stage } from './dockerfile.js';

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

/** Stages by name (or index), each finished once its steps have run. */
type StageResults = Map<string, Promise<StageState>>;

/**
 * Replays each stage's WORKDIR, ENV and COPY steps into a folder per stage under `into`, and its npm
 * commands (npm ci, npm run build) in that folder, exactly as written. Other RUN lines (apt-get) set up
 * the base image, not the application, and are left out. Like BuildKit, stages run side by side and a
 * COPY --from waits for its stage.
 */
export async function replayDockerfile(stages: Stage[], context: string, into: string): Promise<ReplayedImage> {
  const results: StageResults = new Map();
  const started = stages.map((stage, index) => {
    const result = replayStage(stage, path.join(into, `stage-${index}`), context, results);
    results.set(stage.name ?? String(index), result);
    return result;
  });
  const finished = await Promise.all(started);
  const last = finished.at(-1);
  if (!last) throw new Error('the Dockerfile has no stage');
  return { workdir: inStage(last, last.workdir), env: last.env };
}

async function replayStage(stage: Stage, root: string, context: string, results: StageResults): Promise<StageState> {
  const state: StageState = { root, workdir: '/', env: {} };
  await mkdir(root, { recursive: true });
  for (const { keyword, args } of stage.instructions) await replay(keyword, args, state, context, results);
  return state;
}

async function replay(keyword: string, args: string, state: StageState, context: string, results: StageResults): Promise<void> {
  if (keyword === 'WORKDIR') {
    state.workdir = path.posix.resolve(state.workdir, args);
    await mkdir(inStage(state, state.workdir), { recursive: true });
  } else if (keyword === 'ENV') {
    const [name = '', ...value] = args.split('=');
    state.env[name] = value.join('=');
  } else if (keyword === 'COPY') {
    await copy(args, state, context, results);
  } else if (keyword === 'RUN' && runCommand(args).startsWith('npm ')) {
    await runNpm(runCommand(args), inStage(state, state.workdir), state.env);
  }
}

async function runNpm(command: string, cwd: string, env: Record<string, string>): Promise<void> {
  try {
    await promisify(exec)(command, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`RUN ${command} failed:\n${stdout}${stderr}`);
  }
}

async function copy(args: string, state: StageState, context: string, results: StageResults): Promise<void> {
  const { from, sources, destination } = parseCopy(args);
  const target = path.posix.resolve(state.workdir, destination);
  const pending = from === undefined ? undefined : results.get(from);
  if (from !== undefined && !pending) throw new Error(`COPY --from=${from}: no stage of that name`);
  const sourceStage = await pending;
  for (const source of sources) {
    const origin = sourceStage ? inStage(sourceStage, path.posix.resolve(sourceStage.workdir, source)) : path.join(context, source);
    // As Docker does: a folder's contents go into the destination; a file goes into it when it names a folder.
    const intoFolder = !(await stat(origin)).isDirectory() && (sources.length > 1 || destination.endsWith('/'));
    await cp(origin, inStage(state, intoFolder ? path.posix.join(target, path.posix.basename(source)) : target), { recursive: true });
  }
}

function inStage(state: StageState, containerPath: string): string {
  return path.join(state.root, containerPath);
}
