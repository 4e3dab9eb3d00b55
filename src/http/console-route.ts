import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/config.js';
import type { NamespaceRules } from '../domain/namespace.js';

/** console/dist, two levels above this file both in src/http and in dist/http. */
const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

export interface ConsoleOptions {
  namespaces: readonly NamespaceRules[];
  /** Dev mode only: a token the page fills in, so that trying the service needs no copy and paste. */
  devToken?: () => Promise<string>;
}

/** What the console page learns about the service before the user has a token (console/src reads it with this type). */
export interface ConsoleSettings {
  namespaces: Pick<NamespaceRules, 'name' | 'visibility' | 'maxSizeBytes' | 'allowedMimeTypes'>[];
  /** Only in dev mode. */
  devToken?: string;
}

/**
 * The web console at /console: the built single-page app, plus /console/settings.json with the
 * namespaces to offer (the service has no API for them) and, in dev mode, a token.
 */
export async function registerConsole(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  if (!existsSync(`${CONSOLE_DIST}index.html`)) {
    throw new ConfigError([`ASSET_CONSOLE_ENABLED is true but the console is not built (${CONSOLE_DIST}index.html is missing): run \`npm run build:console\`, or set ASSET_CONSOLE_ENABLED=false.`]);
  }
  app.get('/console/settings.json', async (request, reply): Promise<ConsoleSettings> => {
    reply.header('cache-control', 'no-store');
    const namespaces = options.namespaces.map(({ name, visibility, maxSizeBytes, allowedMimeTypes }) => ({ name, visibility, maxSizeBytes, allowedMimeTypes }));
    return options.devToken && fromOwnPage(request) ? { namespaces, devToken: await options.devToken() } : { namespaces };
  });
  await app.register(fastifyStatic, {
    root: CONSOLE_DIST,
    prefix: '/console',
    // /console answers with a redirect to /console/, where the page's relative asset URLs resolve.
    redirect: true,
    decorateReply: false,
    // File names under assets/ carry a content hash, so they can be cached forever; the page itself must not be.
    setHeaders: (reply, path) => reply.header('cache-control', path.startsWith(`${CONSOLE_DIST}assets/`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const LOOPBACK_PEER = /^(127\.|::1$|::ffff:127\.)/;

/**
 * Whether a request comes from the console's own page on this machine (or from no page: curl). Dev mode
 * allows every origin (CORS *), so without this any site the developer visits could read the dev token,
 * which may do everything. The connection must come from this machine (a dev service on HOST=0.0.0.0 is
 * reachable from the LAN, whose requests may say any Host), and the Host must be a loopback name: a site
 * that rebinds its own name to 127.0.0.1 connects from here, but sends its name there (and Origin to match).
 */
function fromOwnPage(request: FastifyRequest): boolean {
  if (!LOOPBACK_PEER.test(request.socket.remoteAddress ?? '')) return false;
  if (!LOOPBACK_HOSTS.has(hostnameOf(request.headers.host) ?? '')) return false;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function hostnameOf(host: string | undefined): string | undefined {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}
