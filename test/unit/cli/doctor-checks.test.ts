import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fail, pass, runChecks, warn, type Check } from '../../../src/operations/doctor/checks.js';

describe('doctor check runner', () => {
  test('skips a check whose prerequisite failed, naming it, and runs one whose prerequisite only warned', async () => {
    const ran: string[] = [];
    const check = (name: string, outcome = pass('ok'), needs?: string[]): Check => ({ name, needs, run: async () => (ran.push(name), outcome) });
    const results = await runChecks([check('a', fail('broken')), check('b', pass('ok'), ['a']), check('c', warn('meh')), check('d', pass('ok'), ['c'])], [], () => undefined);
    assert.deepEqual(results.map((r) => [r.name, r.status]), [['a', 'fail'], ['b', 'skip'], ['c', 'warn'], ['d', 'pass']]);
    assert.equal(results[1]?.message, 'skipped because "a" did not pass');
    assert.deepEqual(ran, ['a', 'c', 'd']);
  });

  test('a check that throws is a failure, and the cleanup checks still run after it', async () => {
    const reported: string[] = [];
    const results = await runChecks(
      [{ name: 'explodes', run: async () => Promise.reject(new Error('boom')) }],
      [{ name: 'cleanup', run: async () => pass('removed') }],
      (r) => reported.push(`${r.name}:${r.status}`),
    );
    assert.match(results[0]?.message ?? '', /unexpected error \(Error: boom\)/);
    assert.deepEqual(reported, ['explodes:fail', 'cleanup:pass']);
  });
});
