import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { loadConfig } from '../../src/config/config.js';
import { ENV_GROUPS, ENV_VARS } from '../../src/config/env-schema.js';
import { envExampleNames, renderEnvExample } from '../../scripts/configuration-doc.js';

const envExample = readFileSync('.env.example', 'utf8');

/** The variables .env.example sets (uncommented lines), as a .env loader reads them. */
function setValues(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

describe('.env.example', () => {
  test('is what `npm run docs:config` generates from ENV_VARS (run it after changing a setting)', () => {
    assert.equal(envExample, renderEnvExample(), '.env.example is stale: run `npm run docs:config`');
  });

  test('names every variable the service reads, each once, in the order of ENV_VARS', () => {
    assert.deepEqual(envExampleNames(envExample), Object.keys(ENV_VARS));
  });

  test('sets a configuration the service accepts: the local stack (MinIO, PostgreSQL, the dev JWKS)', () => {
    const env = setValues(envExample);
    assert.equal(env.STORAGE_HOSTNAME, 'localhost');
    assert.equal(env.STORAGE_ACCESS_KEY, 'minioadmin');
    assert.ok(env.DATABASE_URL, 'a database is set');
    assert.doesNotThrow(() => loadConfig(env));
  });

  test('marks every secret, and gives every default and R2 value', () => {
    const blocks = envExample.split('\n\n');
    for (const [name, spec] of Object.entries(ENV_VARS) as [string, { secret?: boolean; default?: string; r2?: string }][]) {
      const block = blocks.find((b) => new RegExp(`^(# )?${name}=`, 'm').test(b));
      assert.ok(block, `no block for ${name}`);
      const comment = block.split('\n').filter((l) => l.startsWith('# ') && !l.startsWith(`# ${name}=`)).map((l) => l.slice(2)).join(' ');
      assert.equal(comment.includes('Secret.'), spec.secret === true, `${name}: secret marking`);
      if (spec.default) assert.ok(comment.includes(`Default: ${spec.default}.`), `${name}: default`);
      if (spec.r2) assert.ok(comment.includes(`R2: ${spec.r2}.`), `${name}: R2 value`);
    }
  });

  test('sets each local value from one place: no setting has both a minio and a local value', () => {
    const both = Object.entries(ENV_VARS).filter(([, spec]) => 'minio' in spec && 'local' in spec);
    assert.deepEqual(both.map(([name]) => name), []);
  });

  test('lists every setting under a section of ENV_GROUPS', () => {
    for (const [name, spec] of Object.entries(ENV_VARS)) assert.ok(spec.group in ENV_GROUPS, `${name} has no section`);
    for (const { title } of Object.values(ENV_GROUPS)) assert.ok(envExample.includes(`\n# --- ${title}\n`), title);
  });

  test('sets the local value, else comments out the default or sample, each setting under its section', () => {
    const long = 'A description far longer than one line of the file may be, so that rendering it has to wrap it onto more than one comment line.';
    const text = renderEnvExample({
      SET_LOCALLY: { schema: z.string(), description: 'a', group: 'server', default: 'd', minio: 'm' },
      SAMPLED: { schema: z.string(), description: long, group: 'server', example: 'e' },
      DEFAULTED: { schema: z.string(), description: 'c', group: 'server', default: 'd', example: 'e' },
      TRACED: { schema: z.string(), description: 'd', group: 'tracing' },
    });
    assert.match(text, /^SET_LOCALLY=m$/m);
    assert.match(text, /^# SAMPLED=e$/m);
    assert.match(text, /^# DEFAULTED=d$/m);
    assert.match(text, /\n# --- Server\n\n# a Default: d\.\nSET_LOCALLY=m\n/);
    assert.match(text, /\n# --- Tracing \(OpenTelemetry\)\n# Off unless[^\n]*\n(# [^\n]*\n)*\n# d\n# TRACED=\n$/);
    assert.ok(!text.includes('# --- Database'), 'a section without settings is left out');
    assert.ok(text.split('\n').every((line) => line.length <= 100 || !line.includes(' ', 2)), 'comments wrap at 100 characters');
    const sampled = text.split('\n\n').find((block) => block.endsWith('\n# SAMPLED=e'))!;
    const described = sampled.split('\n').filter((line) => line.startsWith('# ') && line !== '# SAMPLED=e');
    assert.ok(described.length > 1, `the long description is wrapped onto more than one comment line:\n${sampled}`);
  });
});
