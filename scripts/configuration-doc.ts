import { ENV_VARS, type EnvVarSpec } from '../src/config/env-schema.js';

/** docs/configuration.md, rendered from ENV_VARS so the reference can never drift from what the service reads. */
export function renderConfigurationDoc(vars: Record<string, EnvVarSpec> = ENV_VARS): string {
  return `${[
    '# Configuration',
    '',
    '<!-- Generated from src/config/env-schema.ts by `npm run docs:config`. Do not edit by hand. -->',
    '',
    'The service and the `neotool-assets` command-line tool read their settings from environment variables.',
    'At startup every variable is checked, and all problems are reported together, each naming the variable and the fix.',
    '',
    '- **Required**: the service does not start without it.',
    '- **Secret**: never logged; in Kubernetes it comes from a Secret (Vault through the ExternalSecret `assets-storage-config`, or `postgres-credentials`).',
    '- **MinIO (dev)** / **R2 (prod)**: the values for local MinIO (docker-compose.yml) and for Cloudflare R2 (deploy/kubernetes).',
    '- The database is given either as `DATABASE_URL` or as `POSTGRES_HOST` with the other `POSTGRES_*` variables; one of the two is required.',
    '',
    '| Variable | Required | Default | Secret | MinIO (dev) | R2 (prod) | Description |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...Object.entries(vars).map(([name, spec]) => row(name, spec)),
    '',
    'Where each production value comes from, and how to check a configuration end to end (`neotool-assets doctor`): [runbook](runbook.md).',
  ].join('\n')}\n`;
}

function row(name: string, spec: EnvVarSpec): string {
  const cells = [code(name), spec.required ? 'yes' : '', value(spec.default), spec.secret ? 'yes' : '', value(spec.minio), value(spec.r2), escape(spec.description)];
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
