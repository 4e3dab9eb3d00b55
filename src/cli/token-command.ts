import { issueDevToken } from '../dev/dev-token-issuer.js';
import { PERMISSIONS } from '../domain/principal.js';
import { MAX_TOKEN_TTL_SECONDS, UsageError, type Command } from './commands.js';

const KNOWN_PERMISSIONS: readonly string[] = Object.values(PERMISSIONS);

/** Prints a token signed by the dev issuer, for trying the API in dev mode. Options and defaults: commands.ts. */
export const tokenCommand: Command = {
  async run(options) {
    const token = await issueDevToken({
      sub: subject(options.sub),
      permissions: permissions(options.permissions),
      ttlSeconds: ttlSeconds(options.ttl),
      onNewKey: warnNewKey,
    });
    process.stdout.write(`${token}\n`);
  },
};

/** On stderr, so that stdout stays the token alone. Harmless on a first run; the trap is a dev service started elsewhere. */
function warnNewKey(keysDir: string): void {
  process.stderr.write(
    `token: there was no dev signing key here, so a new one was made in ${keysDir}. If a dev service already runs ` +
      'from another directory, it will not accept this token: run `npm run --silent token` where `npm run dev` runs.\n',
  );
}

// A mistyped option would only show later, as a token the service refuses: say so now, naming the fix.

function subject(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new UsageError('--sub must name the owner, e.g. --sub alice.');
  return raw.trim();
}

function permissions(raw: unknown): string[] {
  const asked = String(raw).split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = asked.filter((p) => !KNOWN_PERMISSIONS.includes(p));
  if (unknown.length > 0) throw new UsageError(`--permissions: unknown ${unknown.join(', ')}; choose from ${KNOWN_PERMISSIONS.join(', ')} (comma-separated).`);
  if (asked.length === 0) throw new UsageError(`--permissions must name at least one of ${KNOWN_PERMISSIONS.join(', ')} (comma-separated).`);
  return asked;
}

function ttlSeconds(raw: unknown): number {
  const seconds = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_TOKEN_TTL_SECONDS)) {
    throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${MAX_TOKEN_TTL_SECONDS} (30 days), not ${JSON.stringify(raw)}`);
  }
  return seconds;
}
