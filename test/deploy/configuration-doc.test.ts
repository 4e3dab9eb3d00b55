import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { renderConfigurationDoc, renderConfigurationLegend } from '../../scripts/configuration-doc.js';

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

  test('opens its table with the legend the README shows too', () => {
    assert.ok(renderConfigurationDoc().includes(`\n\n${renderConfigurationLegend().join('\n')}\n\n| Variable |`), 'docs/configuration.md: the legend, then the table');
  });
});
