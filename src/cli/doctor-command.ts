import type { CheckResult } from '../operations/doctor/checks.js';
import { runDoctor } from '../operations/doctor/doctor.js';
import type { Command } from './commands.js';

/** `doctor [--json]`: one line per check as it completes (or one JSON document); exit 1 when any check fails. */
export const doctorCommand: Command = {
  async run(options) {
    const json = options.json === true;
    const results = await runDoctor(process.env, json ? undefined : (r) => process.stdout.write(`${formatResult(r)}\n`));
    const ok = results.every((r) => r.status !== 'fail');
    if (json) process.stdout.write(`${JSON.stringify({ ok, checks: results }, null, 2)}\n`);
    else process.stdout.write(`${summary(results)}\n`);
    if (!ok) process.exitCode = 1;
  },
};

function formatResult(result: CheckResult): string {
  return `${result.status.toUpperCase().padEnd(4)}  ${result.name}: ${result.message}`;
}

function summary(results: CheckResult[]): string {
  const count = (status: string) => results.filter((r) => r.status === status).length;
  const verdict = count('fail') ? 'Fix the failures above and run doctor again.' : 'The deployment is ready.';
  return `doctor: ${count('pass')} pass, ${count('fail')} fail, ${count('warn')} warn, ${count('skip')} skip. ${verdict}`;
}
