import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { ENV_VARS } from '../../src/config/env-schema.js';
import { README_LEGEND_END, README_LEGEND_START, README_TABLE_END, README_TABLE_START, renderConfigurationLegend, renderReadme } from '../../scripts/configuration-doc.js';

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

  test("is opened by the generated legend: README.md holds the config-legend markers before its table's", () => {
    const start = readme.indexOf(README_LEGEND_START);
    assert.ok(start >= 0, `README.md must hold ${README_LEGEND_START}`);
    assert.ok(readme.indexOf(README_LEGEND_END, start) < readme.indexOf(README_TABLE_START), `README.md: ${README_LEGEND_END}, then the table`);
    assert.ok(readme.includes(`${README_LEGEND_START}\n${renderConfigurationLegend().join('\n')}\n${README_LEGEND_END}`), "README.md's legend is stale: run `npm run docs:config`");
  });

  test('replaces only what lies between the legend and table markers, and refuses a README without either', () => {
    const vars = { ONLY_SETTING: { schema: z.string(), description: 'd', group: 'server' as const } };
    const readme = `before\n${README_LEGEND_START}\nold legend\n${README_LEGEND_END}\n\n${README_TABLE_START}\nold table\n${README_TABLE_END}\nafter\n`;
    const rendered = renderReadme(readme, vars);
    const legend = renderConfigurationLegend().join('\n');
    assert.ok(rendered.startsWith(`before\n${README_LEGEND_START}\n${legend}\n${README_LEGEND_END}\n\n${README_TABLE_START}\n`), rendered);
    assert.match(rendered.slice(rendered.indexOf(README_TABLE_START)), /^<!-- config-table:start -->\n\| Variable \|.*\n\| --- \|.*\n\| \*\*Server\*\* \|.*\n\| `ONLY_SETTING` \|.*\n<!-- config-table:end -->\nafter\n$/);
    assert.throws(() => renderReadme(readme.replace(README_TABLE_START, ''), vars), /config-table:start/);
    assert.throws(() => renderReadme(readme.replace(README_LEGEND_END, ''), vars), /config-legend:end/);
  });
});
