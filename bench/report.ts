import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Measurement } from './load.js';
import type { BenchSettings } from './settings.js';

/** The goal for createAssetUpload at concurrency 64 (Supabase Storage: ~2,350/s, p99 57 ms here). */
export const CREATE_TARGET = { requestsPerSecond: 7000, p99Ms: 25 };

export interface ScenarioResult extends Measurement {
  /** Throughput relative to the trivial route in the same run: what the work itself costs. */
  ratioToFloor: number | null;
}

export function withFloorRatios(measurements: Measurement[]): ScenarioResult[] {
  const floor = measurements.find((m) => m.scenario === 'floor');
  return measurements.map((m) => ({ ...m, ratioToFloor: floor ? Math.round((m.requestsPerSecond / floor.requestsPerSecond) * 1000) / 1000 : null }));
}

export function printTable(results: ScenarioResult[]): void {
  const header = ['scenario', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'conn errors', 'non-2xx', 'wrong answers', 'vs floor', 'CPU µs/req: service', 'database'];
  const rows = results.map((r) => [
    r.title,
    r.requestsPerSecond.toLocaleString('en-US'),
    String(r.latencyMs.p50),
    String(r.latencyMs.p90),
    String(r.latencyMs.p99),
    String(r.latencyMs.max),
    String(r.connectionErrors + r.timeouts),
    String(r.non2xx),
    String(r.wrongTotal),
    r.ratioToFloor === null ? '-' : r.ratioToFloor.toFixed(3),
    String(r.cpuMicrosPerRequest.service ?? '-'),
    String(r.cpuMicrosPerRequest.database ?? '-'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  console.log('(latencies at 1 ms resolution; load average at each start: ' + results.map((r) => `${r.scenario} ${r.loadAverageAtStart}`).join(', ') + ')');
}

export function printCreateTarget(results: ScenarioResult[]): void {
  const create = results.find((r) => r.scenario === 'create');
  if (!create) return;
  const met = create.requestsPerSecond >= CREATE_TARGET.requestsPerSecond && create.latencyMs.p99 < CREATE_TARGET.p99Ms;
  console.log(
    `\ncreateAssetUpload target ${CREATE_TARGET.requestsPerSecond.toLocaleString('en-US')}/s with p99 < ${CREATE_TARGET.p99Ms} ms: ` +
      `${met ? 'MET' : 'NOT MET'} (${create.requestsPerSecond.toLocaleString('en-US')}/s, p99 ${create.latencyMs.p99} ms at ${create.connections} connections)`,
  );
}

/** Numbers from a run with failed or wrong answers measure something else: say so where nobody can miss it. */
export function reportFailures(results: ScenarioResult[]): boolean {
  const failed = results.filter((r) => r.wrongTotal + r.connectionErrors + r.timeouts > 0);
  if (failed.length === 0) {
    console.log('\nEvery answer was checked and correct.');
    return false;
  }
  const bar = '!'.repeat(78);
  console.error(`\n${bar}\n!! THIS RUN HAD ERRORS: its numbers are not valid measurements of the service.`);
  for (const r of failed) {
    const reasons = Object.entries(r.wrongAnswers).map(([reason, count]) => `${count} x ${reason}`);
    if (r.connectionErrors + r.timeouts > 0) reasons.push(`${r.connectionErrors} connection errors (${r.timeouts} timeouts)`);
    console.error(`!! ${r.title}: ${reasons.join('; ')}`);
  }
  console.error(bar);
  return true;
}

export function writeJson(path: string, settings: BenchSettings, results: ScenarioResult[], startedAt: Date): void {
  const report = {
    startedAt: startedAt.toISOString(),
    git: gitRevision(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: process.platform, loadAverageAtEnd: loadavg() },
    settings: { ...settings, profileDir: settings.profileDir ?? null },
    createTarget: CREATE_TARGET,
    results,
  };
  mkdirSync(path.slice(0, path.lastIndexOf('/')), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nResults written to ${path}`);
}

function gitRevision(): { commit: string; dirty: boolean } | null {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim().length > 0;
    return { commit, dirty };
  } catch {
    return null;
  }
}
