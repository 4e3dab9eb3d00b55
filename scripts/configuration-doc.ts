import { ENV_GROUPS, ENV_VARS, type EnvGroup, type EnvVarSpec } from '../src/config/env-schema.js';

/*
 * Everything that documents the settings is rendered from ENV_VARS (src/config/env-schema.ts), so none of
 * it can drift from what the service reads: docs/configuration.md, .env.example and the README's table
 * with its legend.
 * `npm run docs:config` (scripts/gen-config-docs.ts) writes them; test/deploy fails while one is stale.
 */

export const README_TABLE_START = '<!-- config-table:start -->';
export const README_TABLE_END = '<!-- config-table:end -->';
export const README_LEGEND_START = '<!-- config-legend:start -->';
export const README_LEGEND_END = '<!-- config-legend:end -->';

/** docs/configuration.md, rendered from ENV_VARS so the reference can never drift from what the service reads. */
export function renderConfigurationDoc(vars: Record<string, EnvVarSpec> = ENV_VARS): string {
  return `${[
    '# Configuration',
    '',
    '<!-- Generated from src/config/env-schema.ts by `npm run docs:config`. Do not edit by hand. -->',
    '',
    'The service and the `neotool-assets` command-line tool read their settings from environment variables.',
    'At startup every variable is checked, and all problems are reported together, each naming the variable and the fix.',
    '[`.env.example`](../.env.example) lists them all too, set to the values of the local stack.',
    '',
    ...renderConfigurationLegend(),
    '',
    ...renderConfigurationTable(vars),
    '',
    'Where each production value comes from, and how to check a configuration end to end (`neotool-assets doctor`): [runbook](runbook.md).',
  ].join('\n')}\n`;
}

/** What the table's columns mean (docs/configuration.md and the README, each above its table). */
export function renderConfigurationLegend(): string[] {
  return [
    '- **Required**: the service does not start without it.',
    '- **Secret**: never logged; in Kubernetes it comes from a Secret (Vault through the ExternalSecret `assets-storage-config`, or `postgres-credentials`).',
    '- **MinIO (dev)** / **R2 (prod)**: the values for the local stack (docker-compose.yml: MinIO, PostgreSQL and the dev JWKS, as reached from this machine) and for Cloudflare R2 (deploy/kubernetes).',
  ];
}

/** The settings table (docs/configuration.md and the README): one row per setting, a bold row opening each section. */
export function renderConfigurationTable(vars: Record<string, EnvVarSpec> = ENV_VARS): string[] {
  const lines = ['| Variable | Required | Default | Secret | MinIO (dev) | R2 (prod) | Description |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const [group, entries] of grouped(vars)) {
    lines.push(`| **${escape(group.title)}** |  |  |  |  |  | ${group.note ? escape(group.note) : ''} |`);
    lines.push(...entries.map(([name, spec]) => row(name, spec)));
  }
  return lines;
}

/** The README with its configuration table and the table's legend, each between its markers (which it must hold), rendered afresh. */
export function renderReadme(readme: string, vars: Record<string, EnvVarSpec> = ENV_VARS): string {
  const withTable = replaceBetween(readme, README_TABLE_START, README_TABLE_END, renderConfigurationTable(vars));
  return replaceBetween(withTable, README_LEGEND_START, README_LEGEND_END, renderConfigurationLegend());
}

/** `text` with the lines between the marker lines `start` and `end` replaced by `lines`. */
function replaceBetween(text: string, start: string, end: string, lines: string[]): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`README.md must hold ${start} and, after it, ${end}`);
  return `${text.slice(0, from + start.length)}\n${lines.join('\n')}\n${text.slice(to)}`;
}

/**
 * .env.example: every setting, grouped, its description and what the tables say (required, secret,
 * default, R2 value) as a comment. Set (uncommented) are the values of the local stack (`minio`, or
 * `local` where the service on this machine needs another than the stack's containers); every other
 * setting is commented out with its default, or a sample value.
 */
export function renderEnvExample(vars: Record<string, EnvVarSpec> = ENV_VARS): string {
  const lines = [
    ...comment(
      'neotool-assets configuration: every variable the service reads, set to the values of the local stack ' +
        '(docker-compose.yml: PostgreSQL, MinIO and the dev JWKS, reached from this machine) where it needs one; ' +
        'the others are commented out with their default or a sample.',
    ),
    ...comment(
      'Generated from src/config/env-schema.ts by `npm run docs:config`: do not edit by hand. Copy to .env, adjust, and ' +
        'start the service with `npm start`, which reads .env (the local stack without its own service: `npm run token` once, ' +
        'then `docker compose up postgres minio jwks storage-init`; runbook section 1). Settings marked secret must never be committed. ' +
        'Reference with the R2 (production) values: docs/configuration.md.',
    ),
  ];
  for (const [group, entries] of grouped(vars)) {
    lines.push('', `# --- ${group.title}`);
    if (group.note) lines.push(...comment(group.note));
    for (const [name, spec] of entries) {
      lines.push('', ...comment([spec.description, ...facts(spec)].join(' ')), assignment(name, spec));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The variable names .env.example names, set or commented out, in order. */
export function envExampleNames(text: string): string[] {
  return [...text.matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
}

type Group = { title: string; note?: string };

/** The settings by section, sections in ENV_GROUPS order (a section without settings is left out). */
function grouped(vars: Record<string, EnvVarSpec>): [Group, [string, EnvVarSpec][]][] {
  return (Object.keys(ENV_GROUPS) as EnvGroup[])
    .map((key): [Group, [string, EnvVarSpec][]] => [ENV_GROUPS[key], Object.entries(vars).filter(([, spec]) => spec.group === key)])
    .filter(([, entries]) => entries.length > 0);
}

function facts(spec: EnvVarSpec): string[] {
  const facts: string[] = [];
  if (spec.required) facts.push('Required.');
  if (spec.secret) facts.push('Secret.');
  if (spec.default !== undefined) facts.push(`Default: ${spec.default === '' ? '(empty)' : spec.default}.`);
  if (spec.r2 !== undefined) facts.push(`R2: ${spec.r2}.`);
  return facts;
}

/** The value for the local stack (the tables' MinIO column, .env.example's setting): `minio`, or `local` where only this machine's service needs one. */
function localStackValue(spec: EnvVarSpec): string | undefined {
  return spec.minio ?? spec.local;
}

function assignment(name: string, spec: EnvVarSpec): string {
  const set = localStackValue(spec);
  if (set !== undefined) return `${name}=${set}`;
  return `# ${name}=${spec.default ?? spec.example ?? ''}`;
}

/** Text as `# ` comment lines of at most 100 characters (a longer word keeps its own line). */
function comment(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width - 2) {
      lines.push(`# ${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(`# ${line}`);
  return lines;
}

function row(name: string, spec: EnvVarSpec): string {
  const cells = [code(name), spec.required ? 'yes' : '', value(spec.default), spec.secret ? 'yes' : '', value(localStackValue(spec)), value(spec.r2), escape(spec.description)];
  return `| ${cells.join(' | ')} |`;
}

/** A value as code, so `<account-id>` and spaces show as typed; an empty default is shown as such. */
function value(text: string | undefined): string {
  if (text === undefined) return '';
  return text === '' ? '(empty)' : code(text);
}

function code(text: string): string {
  return `\`${escape(text)}\``;
}

/** A pipe would end the table cell. */
function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}
