import { imageNodeFlags } from '../test/deploy/support/dockerfile.js';

/** What a benchmark run does, from BENCH_* environment variables (see bench/README.md). */
export interface BenchSettings {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  users: number;
  /** Assets created before the read scenario, read round-robin by their owners. */
  readAssets: number;
  scenarios: ScenarioName[];
  /** Extra service environment, e.g. DATABASE_POOL_MAX=40, to compare settings. */
  serviceEnv: Record<string, string>;
  /** Uploads confirmed per confirm variant (0 skips the confirm measurement). */
  confirmUploads: number;
  /** Directory for the service's V8 CPU profile, when profiling. */
  profileDir?: string;
}

export const SCENARIO_NAMES = ['floor', 'create', 'read'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export function readSettings(env: NodeJS.ProcessEnv, resultsDir: string): BenchSettings {
  return {
    seconds: positiveNumber(env, 'BENCH_SECONDS', 20),
    warmupSeconds: positiveNumber(env, 'BENCH_WARMUP_SECONDS', 5, true),
    connections: positiveNumber(env, 'BENCH_CONNECTIONS', 64),
    users: positiveNumber(env, 'BENCH_USERS', 5),
    readAssets: positiveNumber(env, 'BENCH_READ_ASSETS', 1000),
    confirmUploads: positiveNumber(env, 'BENCH_CONFIRM_UPLOADS', 60, true),
    scenarios: scenarios(env.BENCH_SCENARIOS),
    serviceEnv: keyValuePairs(env.BENCH_SERVICE_ENV ?? ''),
    profileDir: ['1', 'true'].includes(env.BENCH_PROFILE ?? '') ? `${resultsDir}/profile` : undefined,
  };
}

/** The image's Node flags (the service runs as in production), plus the profiler's when asked for. */
export function serviceNodeFlags(settings: BenchSettings): string[] {
  const profiling = settings.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.profileDir}`] : [];
  return [...imageNodeFlags(), ...profiling];
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, zeroAllowed = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1)) throw new Error(`${name} must be a whole number${zeroAllowed ? '' : ' above 0'} (got "${raw}")`);
  return value;
}

function scenarios(raw: string | undefined): ScenarioName[] {
  if (!raw) return [...SCENARIO_NAMES];
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(SCENARIO_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(', ')}; choose from ${SCENARIO_NAMES.join(', ')}`);
  return names as ScenarioName[];
}

/** "A=1,B=2" -> { A: '1', B: '2' } */
function keyValuePairs(raw: string): Record<string, string> {
  const pairs = raw.split(',').map((s) => s.trim()).filter(Boolean);
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`BENCH_SERVICE_ENV: "${pair}" is not NAME=value`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}
