import { ENV_VARS } from '../../../src/config/env-schema.js';

/** Names the service does not read: a typo, or a setting that was renamed and silently stopped working. */
export function unknownEnvVars(names: Iterable<string>): string[] {
  return [...names].filter((name) => !(name in ENV_VARS));
}

/** Required settings (ENV_VARS entries with required: true, and a database) that these names leave out. */
export function missingRequiredEnvVars(names: Iterable<string>): string[] {
  const provided = new Set(names);
  const missing = Object.entries(ENV_VARS)
    .filter(([name, spec]) => 'required' in spec && spec.required && !provided.has(name))
    .map(([name]) => name);
  if (!provided.has('DATABASE_URL') && !provided.has('POSTGRES_HOST')) missing.push('DATABASE_URL or POSTGRES_HOST');
  return missing;
}

export function isSecretEnvVar(name: string): boolean {
  const spec = ENV_VARS[name as keyof typeof ENV_VARS] as { secret?: boolean } | undefined;
  return spec?.secret === true;
}

/** The default of a setting; undefined for a setting without one, or one the service does not (yet) read. */
export function defaultOf(name: string): string | undefined {
  const spec = ENV_VARS[name as keyof typeof ENV_VARS] as { default?: string } | undefined;
  return spec?.default;
}
