import { issueDevToken } from '../dev/dev-token-issuer.js';
import { PERMISSIONS } from '../domain/principal.js';
import type { Command } from './commands.js';

const KNOWN_PERMISSIONS: readonly string[] = Object.values(PERMISSIONS);

/** Prints a token signed by the dev issuer, for trying the API in dev mode. */
export const tokenCommand: Command = {
  options: {
    sub: { type: 'string' },
    permissions: { type: 'string' },
    ttl: { type: 'string' },
  },
  async run(options) {
    const token = await issueDevToken({
      sub: subject(options.sub),
      permissions: permissions(options.permissions),
      ttlSeconds: ttlSeconds(options.ttl),
    });
    process.stdout.write(`${token}\n`);
  },
};

// A mistyped option would only show later, as a token the service refuses: say so now, naming the fix.

function subject(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.trim() === '') throw new Error('--sub must name the owner, e.g. --sub alice.');
  return raw.trim();
}

function permissions(raw: unknown): string[] | undefined {
  if (typeof raw !== 'string') return undefined;
  const asked = raw.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = asked.filter((p) => !KNOWN_PERMISSIONS.includes(p));
  if (unknown.length > 0) throw new Error(`--permissions: unknown ${unknown.join(', ')}; choose from ${KNOWN_PERMISSIONS.join(', ')} (comma-separated).`);
  if (asked.length === 0) throw new Error(`--permissions must name at least one of ${KNOWN_PERMISSIONS.join(', ')} (comma-separated).`);
  return asked;
}

function ttlSeconds(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!(Number.isInteger(seconds) && seconds > 0)) throw new Error('--ttl must be a positive whole number of seconds.');
  return seconds;
}
