// Where the service's CPU time went: summarizes a V8 .cpuprofile (node --cpu-prof) by area
// (npm package, src/ directory, Node core, GC) and by function.
//   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface Totals {
  busyMicros: number;
  idleMicros: number;
  selfByArea: Map<string, number>;
  selfByFunction: Map<string, number>;
  /** Time with the function anywhere on the stack, counted once per sample. */
  inclusiveByFunction: Map<string, number>;
}

export function summarizeProfile(path: string, top = 25): string {
  const totals = tally(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
  const share = (micros: number) => `${((micros / totals.busyMicros) * 100).toFixed(1).padStart(5)}%`;
  const list = (title: string, entries: Map<string, number>) =>
    [`${title}:`, ...[...entries].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, micros]) => `  ${share(micros)}  ${name}`)].join('\n');
  const busy = totals.busyMicros / 1e6;
  const idle = totals.idleMicros / 1e6;
  return [
    `CPU profile ${path}: ${busy.toFixed(1)} s on the CPU, ${idle.toFixed(1)} s idle (${((busy / (busy + idle)) * 100).toFixed(0)}% busy); shares are of busy time.`,
    list('Self time by area', totals.selfByArea),
    list('Self time by function', totals.selfByFunction),
    list('Inclusive time, functions of src/', filterKeys(totals.inclusiveByFunction, (name) => name.includes(' src/'))),
  ].join('\n\n');
}

function tally(profile: CpuProfile): Totals {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const totals: Totals = { busyMicros: 0, idleMicros: 0, selfByArea: new Map(), selfByFunction: new Map(), inclusiveByFunction: new Map() };
  profile.samples.forEach((id, i) => {
    // timeDeltas[i + 1] is how long the sampled stack ran until the next sample.
    const micros = profile.timeDeltas[i + 1] ?? 0;
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === '(idle)') {
      totals.idleMicros += micros;
      return;
    }
    totals.busyMicros += micros;
    add(totals.selfByArea, areaOf(leaf), micros);
    add(totals.selfByFunction, describe(leaf), micros);
    for (const name of new Set(stackOf(id, byId, parentOf).map(describe))) add(totals.inclusiveByFunction, name, micros);
  });
  return totals;
}

function stackOf(leafId: number, byId: Map<number, ProfileNode>, parentOf: Map<number, number>): ProfileNode[] {
  const stack: ProfileNode[] = [];
  for (let id: number | undefined = leafId; id !== undefined; id = parentOf.get(id)) stack.push(byId.get(id)!);
  return stack;
}

function areaOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const source = /\/(src\/[^/]+)\//.exec(url);
  if (source) return source[1]!;
  if (url.startsWith('node:')) return 'node core';
  if (!url) return functionName.startsWith('(') ? functionName : '(native code)';
  return url;
}

function describe(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return functionName || '(anonymous native)';
  const file = url.replace(/^file:\/\/.*?\/(node_modules|src|bin|test)\//, '$1/');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

function add(map: Map<string, number>, key: string, micros: number): void {
  map.set(key, (map.get(key) ?? 0) + micros);
}

function filterKeys(map: Map<string, number>, keep: (key: string) => boolean): Map<string, number> {
  return new Map([...map].filter(([key]) => keep(key)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(summarizeProfile(file, top ? Number(top) : undefined));
}
