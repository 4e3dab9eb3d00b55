import { startService } from '../app.js';
import { loadConfig } from '../config/config.js';
import { loadNamespacesFile } from '../config/namespaces-file.js';
import { assertDevModeAllowed, type DevModeSetting } from '../dev/dev-mode-guard.js';
import { issueDevToken } from '../dev/dev-token-issuer.js';
import { createLogger } from '../observability/logger.js';
import type { Command } from './commands.js';
import { stopOnSignals } from './serve-command.js';

/** Stand-ins for the settings the embedded servers provide, so the rest can be checked before they start. */
const EMBEDDED_PLACEHOLDERS: Partial<Record<DevModeSetting, string>> = {
  DATABASE_URL: 'postgres://127.0.0.1/embedded',
  STORAGE_HOSTNAME: '127.0.0.1',
  STORAGE_ACCESS_KEY: 'embedded',
  STORAGE_SECRET: 'embedded',
  JWT_JWKS_URL: 'http://127.0.0.1/.well-known/jwks.json',
};

/** The zero-install start: embedded PostgreSQL, a local S3 server and a dev token issuer, then the real service. */
export const devCommand: Command = {
  async run() {
    assertDevModeAllowed(process.env);
    // Loopback only: dev mode has no real secrets and must not be reachable from the network.
    const devDefaults = {
      HOST: process.env.HOST ?? '127.0.0.1',
      ASSET_CORS_ALLOWED_ORIGINS: process.env.ASSET_CORS_ALLOWED_ORIGINS ?? '*',
      ASSET_CONSOLE_ENABLED: process.env.ASSET_CONSOLE_ENABLED ?? 'true',
    };
    // The developer's own settings and the namespaces file are checked before anything starts: a typo
    // should not wait for PostgreSQL's first initdb, nor leave a .data/ behind in the wrong directory.
    await loadNamespacesFile(loadConfig({ ...process.env, ...EMBEDDED_PLACEHOLDERS, ...devDefaults }).assets.configPath);
    // Loaded only now: the embedded servers are devDependencies, absent from the production image.
    const { startDevEnvironment } = await import('../dev/dev-environment.js');
    const dev = await startDevEnvironment();
    try {
      const config = loadConfig({ ...process.env, ...dev.env, ...devDefaults });
      // The console fills in a fresh dev token (all permissions, subject dev-user), signed by the dev issuer's key.
      const service = await startService(config, createLogger(config.logLevel), { devToken: () => issueDevToken() });
      stopOnSignals(service, config.shutdownTimeoutMs, dev.stop);
      printWelcome(service.url.replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost'));
    } catch (error) {
      await dev.stop();
      throw error;
    }
  },
};

function printWelcome(url: string): void {
  process.stdout.write(`
  neotool-assets is running in dev mode (embedded PostgreSQL, local S3, dev token issuer; data in .data/)

    GraphQL   ${url}/graphql
    GraphiQL  ${url}/graphiql
    Health    ${url}/health
    Console   ${url}/console/

  Get a token (upload/view/delete):   npm run --silent token
  Then send it as a header:           Authorization: Bearer <token>
`);
}
