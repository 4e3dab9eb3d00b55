import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fail, pass, runChecks, warn, type Check } from '../../../src/operations/doctor/checks.js';
import { namespacesFileCheck, SERVICE_SETTINGS } from '../../../src/operations/doctor/service-checks.js';

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

describe('doctor namespaces file check', () => {
  test('a path that names a directory is a file the service cannot read: the fix is ASSET_CONFIG_PATH, not the file\'s content', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'doctor-namespaces-dir-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const outcome = await namespacesFileCheck({ ok: true, value: { namespacesFile: dir } }).run();
    assert.equal(outcome.status, 'fail');
    assert.equal(outcome.message, `Cannot read the namespaces file "${dir}" (ASSET_CONFIG_PATH): it is a directory. Set ASSET_CONFIG_PATH to the namespaces file in it (say its namespaces.yaml). The service will not start without it.`);
  });

  test('is skipped, naming the service settings, when those do not parse', async () => {
    const [result] = await runChecks([namespacesFileCheck({ ok: false, problems: ['LOG_LEVEL must be one of ...'] })], [], () => undefined);
    assert.deepEqual(result, { name: 'namespaces file valid', status: 'skip', message: `skipped because "${SERVICE_SETTINGS}" did not pass` });
  });
});
