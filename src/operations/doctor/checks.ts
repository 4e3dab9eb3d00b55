import { errorName } from '../../storage/storage-errors.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** What one check found; a failure's message always ends with what to do about it. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  message: string;
}

export type Outcome = Omit<CheckResult, 'name'>;

export interface Check {
  name: string;
  /** Checks that must pass first; when one did not, this one is skipped and says which. */
  needs?: string[];
  run(): Promise<Outcome>;
}

export const pass = (message: string): Outcome => ({ status: 'pass', message });
export const fail = (message: string): Outcome => ({ status: 'fail', message });
export const warn = (message: string): Outcome => ({ status: 'warn', message });

/**
 * Runs the checks in order, then the cleanup checks whatever happened (probe objects must never be
 * left behind). Each result is reported as soon as it is known.
 */
export async function runChecks(checks: Check[], cleanup: Check[], report: (result: CheckResult) => void): Promise<CheckResult[]> {
  const results = new Map<string, CheckResult>();
  const runOne = async (check: Check) => {
    const result = { name: check.name, ...(await outcome(check, results)) };
    results.set(check.name, result);
    report(result);
  };
  try {
    for (const check of checks) await runOne(check);
  } finally {
    for (const check of cleanup) await runOne(check);
  }
  return [...results.values()];
}

async function outcome(check: Check, results: Map<string, CheckResult>): Promise<Outcome> {
  const blocker = check.needs?.find((name) => !['pass', 'warn'].includes(results.get(name)?.status ?? 'skip'));
  if (blocker) return { status: 'skip', message: `skipped because "${blocker}" did not pass` };
  try {
    return await check.run();
  } catch (error) {
    return fail(`unexpected error (${errorName(error)}: ${(error as Error)?.message}); run again with the same settings, and report it if it persists.`);
  }
}
