import autocannon, { type RequestTemplate, type Result } from 'autocannon';
import { loadavg } from 'node:os';
import { backendCpuBetween, type BackendCpu } from './database-cpu.js';
import { processCpuSeconds } from './process-cpu.js';
import type { Answer, NextRequest, Scenario } from './scenarios.js';

export interface Measurement {
  scenario: string;
  title: string;
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { average: number; p50: number; p90: number; p99: number; max: number };
  /** Connection errors and timeouts, as autocannon counts them. */
  connectionErrors: number;
  timeouts: number;
  non2xx: number;
  /** Wrong answers by reason (non-2xx, GraphQL errors, wrong content). */
  wrongAnswers: Record<string, number>;
  wrongTotal: number;
  /**
   * CPU time per request (µs) of the service process, of the PostgreSQL backends serving it (null
   * when PostgreSQL is not local; shared processes such as the WAL writer not included) and of this
   * load generator. Null off Linux.
   */
  cpuMicrosPerRequest: { service: number | null; database: number | null; loadGenerator: number };
  /** 1-minute load average when the run started: other work on the machine shows up here. */
  loadAverageAtStart: number;
}

/** Drives the scenario for `seconds` with `connections` keep-alive connections, checking every answer. */
export async function measure(target: Target, scenario: Scenario, connections: number, seconds: number): Promise<Measurement> {
  const wrongAnswers: Record<string, number> = {};
  const loadAverageAtStart = loadavg()[0]!;
  const cpuBefore = await readCpu(target);
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    requests: [
      {
        method: scenario.method,
        path: scenario.path,
        // Only for changing requests: autocannon builds a fixed one once.
        ...(scenario.next && { setupRequest: nextRequest(scenario.next) }),
        onResponse: (status, body, context) => {
          const wrong = wrongAnswer(scenario, status, body, context.expected as string | undefined);
          if (wrong) wrongAnswers[wrong] = (wrongAnswers[wrong] ?? 0) + 1;
        },
      },
    ],
  });
  const cpuMicrosPerRequest = cpuPerRequest(cpuBefore, await readCpu(target), result.requests.total);
  return { ...summarize(scenario, connections, result, wrongAnswers), cpuMicrosPerRequest, loadAverageAtStart: round(loadAverageAtStart) };
}

export interface Target {
  url: string;
  /** The service's process, whose CPU time is measured. */
  pid: number;
  databaseCpu?: () => Promise<BackendCpu>;
}

interface CpuReading {
  service: number | null;
  database: BackendCpu | null;
  loadGenerator: NodeJS.CpuUsage;
}

async function readCpu(target: Target): Promise<CpuReading> {
  return { service: processCpuSeconds(target.pid), database: (await target.databaseCpu?.()) ?? null, loadGenerator: process.cpuUsage() };
}

function cpuPerRequest(before: CpuReading, after: CpuReading, requests: number): Measurement['cpuMicrosPerRequest'] {
  const perRequest = (seconds: number) => Math.round((seconds * 1e6) / Math.max(requests, 1));
  const generator = { user: after.loadGenerator.user - before.loadGenerator.user, system: after.loadGenerator.system - before.loadGenerator.system };
  return {
    service: after.service === null || before.service === null ? null : perRequest(after.service - before.service),
    database: after.database === null || before.database === null ? null : perRequest(backendCpuBetween(before.database, after.database)),
    loadGenerator: perRequest((generator.user + generator.system) / 1e6),
  };
}

function nextRequest(next: () => NextRequest): RequestTemplate['setupRequest'] {
  return (request, context) => {
    const { body, headers, expected } = next();
    context.expected = expected;
    return { ...request, body, headers };
  };
}

/** Why an answer is wrong (HTTP status, GraphQL error code, content), or null when it is right. */
function wrongAnswer(scenario: Scenario, status: number, body: string, expected: string | undefined): string | null {
  let answer: Answer;
  try {
    answer = JSON.parse(body) as Answer;
  } catch {
    return `HTTP ${status}, not JSON`;
  }
  const code = answer.errors?.[0]?.extensions?.code;
  if (status < 200 || status >= 300) return `HTTP ${status}${code ? ` ${code}` : ''}`;
  if (answer.errors?.length) return `GraphQL error ${code ?? 'without code'}`;
  return scenario.problem(answer, expected);
}

type Counted = Omit<Measurement, 'cpuMicrosPerRequest' | 'loadAverageAtStart'>;

function summarize(scenario: Scenario, connections: number, r: Result, wrongAnswers: Record<string, number>): Counted {
  const wrongTotal = Object.values(wrongAnswers).reduce((a, b) => a + b, 0);
  return {
    scenario: scenario.name,
    title: scenario.title,
    connections,
    durationSeconds: r.duration,
    requests: r.requests.total,
    requestsPerSecond: Math.round(r.requests.total / r.duration),
    latencyMs: { average: round(r.latency.average), p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    connectionErrors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    wrongAnswers,
    wrongTotal,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
