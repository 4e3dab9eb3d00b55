import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Just enough of the Dockerfile grammar to check the image's build and replay its COPY steps. */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name?: string;
  image: string;
  instructions: Instruction[];
}

export interface CopyStep {
  from?: string;
  sources: string[];
  destination: string;
}

export function readDockerfile(path: string): Stage[] {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

export function parseDockerfile(text: string): Stage[] {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') stages.push(fromStage(instruction.args, globalArgs));
    else if (stages.length > 0) stages.at(-1)!.instructions.push(instruction);
    else if (instruction.keyword === 'ARG') recordArg(instruction.args, globalArgs);
  }
  return stages;
}

/** Joins continuation lines and drops comments and blank lines, as the Docker parser does. */
function instructions(text: string): Instruction[] {
  const logicalLines: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) || (line.trim() === '' && pending === '')) continue;
    const continued = line.endsWith('\\');
    pending += `${continued ? line.slice(0, -1) : line} `;
    if (!continued) {
      logicalLines.push(pending.trim());
      pending = '';
    }
  }
  return logicalLines.map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
  });
}

function recordArg(args: string, into: Map<string, string>): void {
  const [name = '', value = ''] = args.split('=');
  into.set(name, value);
}

function fromStage(args: string, globalArgs: Map<string, string>): Stage {
  const words = args.split(/\s+/).filter((word) => !word.startsWith('--'));
  const image = (words[0] ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced, bare) => globalArgs.get(braced ?? bare) ?? '');
  return { image, name: words[1]?.toUpperCase() === 'AS' ? words[2] : undefined, instructions: [] };
}

export function stageNamed(stages: Stage[], name: string): Stage {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`the Dockerfile has no stage named "${name}"`);
  return stage;
}

export function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

export function copySteps(stage: Stage): CopyStep[] {
  return argsOf(stage, 'COPY').map(parseCopy);
}

/** `COPY [--from=STAGE] [--chown=...] SOURCE... DESTINATION` (shell form, paths without spaces). */
export function parseCopy(args: string): CopyStep {
  const words = args.split(/\s+/);
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
}

/** The command of a RUN line, without BuildKit's --mount/--network flags. */
export function runCommand(args: string): string {
  return args.replace(/^(--\S+\s+)+/, '');
}

/** ENTRYPOINT/CMD/HEALTHCHECK CMD in exec form (a JSON array); shell form is refused, as it breaks signals. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not an exec-form command: ${args}`);
  return parsed;
}

export function lastArgs(stage: Stage, keyword: string): string {
  const all = argsOf(stage, keyword);
  if (all.length === 0) throw new Error(`the stage "${stage.name ?? stage.image}" has no ${keyword}`);
  return all.at(-1)!;
}

const PROJECT_DOCKERFILE = fileURLToPath(new URL('../../../Dockerfile', import.meta.url));

/** The Node flags the image's ENTRYPOINT starts the CLI with: how production runs it, and so the benchmark. */
export function imageNodeFlags(path = PROJECT_DOCKERFILE): string[] {
  const entrypoint = execForm(lastArgs(readDockerfile(path).at(-1)!, 'ENTRYPOINT'));
  return entrypoint.slice(entrypoint.indexOf('node') + 1, -1);
}
