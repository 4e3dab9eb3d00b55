import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { ENV_VARS } from '../../src/config/env-schema.js';
import { README_TABLE_END, README_TABLE_START, renderReadme } from '../../scripts/configuration-doc.js';

const readme = readFileSync('README.md', 'utf8');

describe("README's configuration table", () => {
  test('is what `npm run docs:config` generates from ENV_VARS (run it after changing a setting)', () => {
    assert.equal(readme, renderReadme(readme), "README.md's configuration table is stale: run `npm run docs:config`");
  });

  test('has one row per variable the service reads, with its default, MinIO and R2 values', () => {
    const table = readme.slice(readme.indexOf(README_TABLE_START), readme.indexOf(README_TABLE_END));
    const rows = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|(.*)$/gm)];
    assert.deepEqual(
      rows.map((r) => r[1]),
      Object.keys(ENV_VARS),
    );
    for (const [, name, rest] of rows) {
      const spec = ENV_VARS[name as keyof typeof ENV_VARS] as { default?: string; minio?: string; r2?: string };
      for (const v of [spec.default, spec.minio, spec.r2]) if (v) assert.ok(rest!.includes(`\`${v}\``), `${name}: ${v}`);
    }
  });

  test('replaces only what lies between the markers, and refuses a README without them', () => {
    const vars = { ONLY_SETTING: { schema: z.string(), description: 'd', group: 'server' as const } };
    const rendered = renderReadme(`before\n${README_TABLE_START}\nold table\n${README_TABLE_END}\nafter\n`, vars);
    assert.match(rendered, /^before\n<!-- config-table:start -->\n\| Variable \|.*\n\| --- \|.*\n\| \*\*Server\*\* \|.*\n\| `ONLY_SETTING` \|.*\n<!-- config-table:end -->\nafter\n$/);
    assert.throws(() => renderReadme('no markers', vars), /config-table:start/);
  });
});
