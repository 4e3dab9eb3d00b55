// npm run docs:config — rewrites docs/configuration.md from ENV_VARS (src/config/env-schema.ts).
import { writeFile } from 'node:fs/promises';
import { renderConfigurationDoc } from './configuration-doc.js';

const target = new URL('../docs/configuration.md', import.meta.url);
await writeFile(target, renderConfigurationDoc());
process.stdout.write(`wrote ${target.pathname}\n`);
