// npm run docs:config — rewrites docs/configuration.md and .env.example from ENV_VARS (src/config/env-schema.ts).
import { writeFile } from 'node:fs/promises';
import { renderConfigurationDoc, renderEnvExample } from './configuration-doc.js';

const at = (path: string) => new URL(`../${path}`, import.meta.url);
const outputs: [string, string][] = [
  ['docs/configuration.md', renderConfigurationDoc()],
  ['.env.example', renderEnvExample()],
];
for (const [path, text] of outputs) {
  await writeFile(at(path), text);
  process.stdout.write(`wrote ${path}\n`);
}
