import type { EnvVarName } from './env-schema.js';

/**
 * Where a parsed setting's value came from: the operator set it, or it took its default, or it was set
 * but rejected (already reported). Problems derived from a setting say which, so that an operator is not
 * told to change a value they never set, nor that a setting is missing when it is only wrong.
 */
type SettingSource = 'set' | 'default' | 'rejected';

// Carried by the parsed values themselves, under a symbol: kept by a copy ({ ...values }), unseen by Object.keys and JSON.
const SOURCES = Symbol('setting sources');

interface Sourced {
  [SOURCES]?: Map<EnvVarName, SettingSource>;
}

export function noteSource(values: object, name: EnvVarName, source: SettingSource): void {
  const sourced = values as Sourced;
  (sourced[SOURCES] ??= new Map()).set(name, source);
}

/** undefined: not set and without a default (or the values were not read by parseEnvVars). */
export function sourceOf(values: object, name: EnvVarName): SettingSource | undefined {
  return (values as Sourced)[SOURCES]?.get(name);
}
