import type { EnvVarName } from './env-schema.js';

/**
 * Where a parsed setting's value came from: the operator set it, or it took its default, or it was set
 * but rejected (already reported). Problems derived from a setting say which, so that an operator is not
 * told to change a value they never set, nor that a setting is missing when it is only wrong.
 */
export type SettingSource = 'set' | 'default' | 'rejected';

const sources = new WeakMap<object, Map<EnvVarName, SettingSource>>();

export function noteSource(values: object, name: EnvVarName, source: SettingSource): void {
  let byName = sources.get(values);
  if (!byName) sources.set(values, (byName = new Map()));
  byName.set(name, source);
}

/** undefined: not set and without a default (or the values were not read by parseEnvVars). */
export function sourceOf(values: object, name: EnvVarName): SettingSource | undefined {
  return sources.get(values)?.get(name);
}
