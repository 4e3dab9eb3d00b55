import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { z } from 'zod';
import {
  README_LEGEND_END,
  README_LEGEND_START,
  README_TABLE_END,
  README_TABLE_START,
  renderConfigurationDoc,
  renderConfigurationLegend,
  renderReadme,
} from '../../scripts/configuration-doc.js';

describe('docs/configuration.md', () => {
  test('is what `npm run docs:config` generates from ENV_VARS (run it after changing a setting)', () => {
    assert.equal(readFileSync('docs/configuration.md', 'utf8'), renderConfigurationDoc(), 'docs/configuration.md is stale: run `npm run docs:config`');
  });

  test('gives each setting one table row, with a pipe in a description kept inside its cell', () => {
    const doc = renderConfigurationDoc({
      EXAMPLE_SETTING: { schema: z.string(), group: 'server', description: 'either a | b', default: '', required: true, secret: true, minio: 'x', r2: 'y' },
    });
    const row = doc.split('\n').find((line) => line.startsWith('| `EXAMPLE_SETTING`'));
    assert.ok(row, 'no row for the setting');
    assert.equal(row.split(/(?<!\\)\|/).length - 2, 7, 'the row must have exactly the seven columns of the header');
    assert.ok(row.includes('either a \\| b'));
    assert.ok(row.includes('(empty)'), 'an empty default is shown as such');
  });

  test("has the legend the README shows above its table: README.md holds the config-legend markers, before its table's", () => {
    const readme = readFileSync('README.md', 'utf8');
    const legend = renderConfigurationLegend().join('\n');
    assert.ok(renderConfigurationDoc().includes(`\n\n${legend}\n\n| Variable |`), 'docs/configuration.md: the legend, then the table');
    const start = readme.indexOf(README_LEGEND_START);
    assert.ok(start >= 0, `README.md must hold ${README_LEGEND_START}`);
    assert.ok(readme.indexOf(README_LEGEND_END, start) < readme.indexOf(README_TABLE_START), `README.md: ${README_LEGEND_END}, then the table`);
    assert.ok(readme.includes(`${README_LEGEND_START}\n${legend}\n${README_LEGEND_END}`), "README.md's legend is stale: run `npm run docs:config`");
  });

  test("the README's legend is rendered afresh between its markers, whatever stood there", () => {
    const vars = { ONLY_SETTING: { schema: z.string(), description: 'd', group: 'server' as const } };
    const readme = `intro\n${README_LEGEND_START}\nold legend\n${README_LEGEND_END}\n\n${README_TABLE_START}\nold table\n${README_TABLE_END}\n`;
    const rendered = renderReadme(readme, vars);
    assert.ok(rendered.startsWith(`intro\n${README_LEGEND_START}\n${renderConfigurationLegend().join('\n')}\n${README_LEGEND_END}\n\n${README_TABLE_START}\n| Variable |`), rendered);
    assert.ok(!rendered.includes('old'), rendered);
    assert.throws(() => renderReadme(readme.replace(README_LEGEND_END, ''), vars), /config-legend:end/);
  });
});
