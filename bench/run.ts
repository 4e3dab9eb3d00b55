// The benchmark (npm run bench, through scripts/bench.sh which provides PostgreSQL and S3): starts
// the service in its own process, drives each scenario with autocannon from this process, checks
// every answer, prints a table and writes bench/results/latest.json. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { Cleanup } from './cleanup.js';
import { CONFIRM_VARIANTS, measureConfirms, type ConfirmMeasurement } from './confirm.js';
import { setUpEnvironment, type BenchEnvironment } from './environment.js';
import { measure, type Measurement, type Target } from './load.js';
import { summarizeProfile } from './profile-summary.js';
import { printCreateTarget, printTable, reportFailures, withFloorRatios, writeJson } from './report.js';
import { createScenario, floorScenario, readScenario, type Scenario } from './scenarios.js';
import { seedAssets } from './seed.js';
import { readSettings, type BenchSettings, type ScenarioName } from './settings.js';

const RESULTS_DIR = fileURLToPath(new URL('results', import.meta.url));

async function main(): Promise<void> {
  const startedAt = new Date();
  const settings = readSettings(process.env, RESULTS_DIR);
  console.log(
    `bench: ${settings.scenarios.join(', ')} at ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s each` +
      `${settings.profileDir ? ', service under the CPU profiler' : ''}`,
  );
  const cleanup = new Cleanup();
  stopOnInterrupt(cleanup);
  const { measurements, confirms, servicePid } = await benchmark(settings, cleanup);
  const results = withFloorRatios(measurements);
  printTable(results);
  printCreateTarget(results);
  printConfirms(confirms);
  writeJson(`${RESULTS_DIR}/latest.json`, settings, results, startedAt);
  if (confirms.length > 0) writeFileSync(`${RESULTS_DIR}/confirm.json`, `${JSON.stringify(confirms, null, 2)}\n`);
  if (settings.profileDir) printProfile(settings.profileDir, servicePid);
  if (reportFailures(results)) process.exitCode = 1;
}

/** Sets up, measures every scenario, and cleans up whatever happens. */
async function benchmark(settings: BenchSettings, cleanup: Cleanup): Promise<{ measurements: Measurement[]; confirms: ConfirmMeasurement[]; servicePid: number }> {
  try {
    const environment = await setUpEnvironment(settings, cleanup);
    const measurements = await runScenarios(environment, settings);
    const confirms = await runConfirms(environment, settings);
    return { measurements, confirms, servicePid: environment.service.pid };
  } finally {
    await cleanup.run();
  }
}

async function runScenarios(environment: BenchEnvironment, settings: BenchSettings): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const name of settings.scenarios) {
    const scenario = await buildScenario(name, environment, settings);
    measurements.push(await warmUpAndMeasure({ ...environment.service, databaseCpu: environment.databaseCpu }, scenario, settings));
  }
  return measurements;
}

async function buildScenario(name: ScenarioName, environment: BenchEnvironment, settings: BenchSettings): Promise<Scenario> {
  // Idempotency keys are unique per run, so a rerun against the same database never replays.
  const runId = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  if (name === 'floor') return floorScenario;
  if (name === 'create') return createScenario(environment.tokens, runId);
  console.log(`bench: creating ${settings.readAssets} assets to read`);
  return readScenario(environment.tokens, await seedAssets(environment.service.url, environment.tokens, settings.readAssets, `${runId}-seed`));
}

/** Confirm latency per object size, with and without a declared checksum, 4 callers at a time. */
async function runConfirms(environment: BenchEnvironment, settings: BenchSettings): Promise<ConfirmMeasurement[]> {
  const confirms: ConfirmMeasurement[] = [];
  if (settings.confirmUploads === 0) return confirms;
  for (const variant of CONFIRM_VARIANTS) {
    console.log(`bench: ${variant.title}: ${settings.confirmUploads} uploads`);
    confirms.push(await measureConfirms(environment.service.url, environment.tokens, variant, settings.confirmUploads, 4));
  }
  return confirms;
}

function printConfirms(confirms: ConfirmMeasurement[]): void {
  if (confirms.length === 0) return;
  console.log('\nconfirmAssetUpload: the upload is read back (hashed when a checksum was declared), inspected, and copied to its key; target for 2 MB + SHA-256: p99 < 100 ms');
  console.table(confirms.map((c) => ({ variant: c.title, 'confirms/s': c.confirmsPerSecond, 'p50 ms': c.latencyMs.p50, 'p99 ms': c.latencyMs.p99, 'max ms': c.latencyMs.max, wrong: c.wrong })));
  if (confirms.some((c) => c.wrong > 0)) process.exitCode = 1;
}

/** The warm-up lets V8 optimize and pools fill; its answers are checked too, but only the second run counts. */
async function warmUpAndMeasure(target: Target, scenario: Scenario, settings: BenchSettings): Promise<Measurement> {
  if (settings.warmupSeconds > 0) {
    console.log(`bench: ${scenario.title}: warming up for ${settings.warmupSeconds} s`);
    const warmup = await measure(target, scenario, settings.connections, settings.warmupSeconds);
    if (warmup.wrongTotal + warmup.connectionErrors > 0) console.error(`bench: ${scenario.title}: warm-up had wrong answers: ${JSON.stringify(warmup.wrongAnswers)}`);
  }
  console.log(`bench: ${scenario.title}: measuring for ${settings.seconds} s`);
  const measurement = await measure(target, scenario, settings.connections, settings.seconds);
  console.log(`bench: ${scenario.title}: ${measurement.requestsPerSecond.toLocaleString('en-US')} req/s, p99 ${measurement.latencyMs.p99} ms`);
  return measurement;
}

function stopOnInterrupt(cleanup: Cleanup): void {
  const stop = async () => {
    console.error('bench: interrupted; cleaning up');
    await cleanup.run();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Node names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile. */
function printProfile(dir: string, pid: number): void {
  const file = readdirSync(dir).find((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile'));
  if (file) console.log(`\n${summarizeProfile(`${dir}/${file}`)}`);
  else console.error(`bench: the service (pid ${pid}) left no CPU profile in ${dir}`);
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
