// npm run docs:config — rewrites docs/configuration.md, .env.example and the README's configuration table
// and its legend (between their config-table and config-legend markers) from ENV_VARS (src/config/env-schema.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { renderConfigurationDoc, renderEnvExample, renderReadme } from './configuration-doc.js';

const at = (path: string) => new URL(`../${path}`, import.meta.url);
const readme = await readFile(at('README.md'), 'utf8');
const outputs: [string, string][] = [
  ['docs/configuration.md', renderConfigurationDoc()],
  ['.env.example', renderEnvExample()],
  ['README.md', renderReadme(readme)],
];
for (const [path, text] of outputs) {
  await writeFile(at(path), text);
  process.stdout.write(`wrote ${path}\n`);
}
