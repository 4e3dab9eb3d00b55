import { unsetTokenScope } from '../../auth/token-scope.js';
import { ENV_VARS, type EnvVarName } from '../../config/env-schema.js';
import { StartupError } from '../../config/startup-error.js';
import { fail, pass, warn, type Check } from './checks.js';

// What the production overlay, the runbook and .env.example show in place of an operator's own values.
const EXAMPLE_VALUE = /yourdomain\.com|<[a-z][a-z-]*>/i;
const ALL_VARS = Object.keys(ENV_VARS) as EnvVarName[];

/**
 * Values copied from the manifests or the runbook without being replaced (security.yourdomain.com,
 * <account-id>) parse fine, so the service starts, then refuses every token or browser. Secrets are
 * named, never shown.
 */
export function exampleValuesCheck(env: NodeJS.ProcessEnv): Check {
  return {
    name: 'no example values left',
    run: async () => {
      const left = exampleValuesIn(env, ALL_VARS);
      if (left.length === 0) return pass('no setting holds an example value of the manifests or the runbook');
      return fail(`${left.join(', ')}: example values of the manifests or the runbook. Set your own (the production overlay's ConfigMap, or Vault secret/assets).`);
    },
  };
}

// The settings the service refuses to start with an example value in: the plain ones. A secret (a password) may hold any characters.
const PLAIN_SETTINGS = ALL_VARS.filter((name) => !('secret' in ENV_VARS[name]));

/**
 * For `serve`: example values parse fine, and a service started with them would refuse every token or
 * browser (JWT_ISSUER, ASSET_CORS_ALLOWED_ORIGINS): better not to start.
 */
export function refuseExampleValues(env: NodeJS.ProcessEnv): void {
  const left = exampleValuesIn(env, PLAIN_SETTINGS);
  if (left.length > 0) throw new StartupError(`${left.join(', ')}: example values of the manifests or the runbook, not yours. Set your own (the production overlay's ConfigMap), then start again.`);
}

/** Those of `names` that hold an example value, each as NAME=value; a secret by its name only. */
function exampleValuesIn(env: NodeJS.ProcessEnv, names: readonly EnvVarName[]): string[] {
  const left = names.filter((name) => EXAMPLE_VALUE.test(env[name] ?? ''));
  return left.map((name) => ('secret' in ENV_VARS[name] ? name : `${name}=${env[name]}`));
}

/** Without JWT_ISSUER and JWT_AUDIENCE any token the issuer's keys signed is accepted, also one meant for another service. */
export function tokenScopeCheck(env: NodeJS.ProcessEnv): Check {
  return {
    name: 'tokens scoped to this service',
    run: async () => {
      const unset = unsetTokenScope(env.JWT_ISSUER, env.JWT_AUDIENCE);
      if (unset.length > 0) return warn(`${unset.join(' and ')} not set: tokens issued for other services are accepted too. Set them to the "iss" and "aud" of tokens meant for this service.`);
      return pass(`only tokens issued by ${env.JWT_ISSUER} for ${env.JWT_AUDIENCE}`);
    },
  };
}
