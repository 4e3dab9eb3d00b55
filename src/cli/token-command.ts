import { issueDevToken } from '../dev/dev-token-issuer.js';
import type { Command } from './commands.js';

/** Prints a token signed by the dev issuer, for trying the API in dev mode. */
export const tokenCommand: Command = {
  options: {
    sub: { type: 'string' },
    permissions: { type: 'string' },
    ttl: { type: 'string' },
  },
  async run(options) {
    const ttlSeconds = options.ttl === undefined ? undefined : Number(options.ttl);
    if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) throw new Error('--ttl must be a positive whole number of seconds.');
    const token = await issueDevToken({
      sub: options.sub as string | undefined,
      permissions: typeof options.permissions === 'string' ? options.permissions.split(',').filter(Boolean) : undefined,
      ttlSeconds,
    });
    process.stdout.write(`${token}\n`);
  },
};
