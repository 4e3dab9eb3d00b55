import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { PERMISSIONS } from '../domain/principal.js';
import { defaultDataDir } from './data-dir.js';
import { portTakenError } from './ports.js';

export const DEV_ISSUER = 'neotool-dev';
export const DEV_AUDIENCE = 'neotool-assets';
const JWKS_PATH = '/.well-known/jwks.json';
const KEY_FILE = 'signing-key.private.jwk.json';

export interface DevTokenOptions {
  sub?: string;
  permissions?: string[];
  type?: string;
  ttlSeconds?: number;
  issuer?: string;
  audience?: string;
  /** Parent of the `dev-keys` folder; default .data/ */
  dataDir?: string;
  /** Told the folder when no key was there and a new one was made (tokens a running dev service does not know yet). */
  onNewKey?: (keysDir: string) => void;
}

export interface RunningJwksServer {
  jwksUrl: string;
  stop(): Promise<void>;
}

/** Signs a token the dev service accepts; works whether or not the dev environment is running. */
export async function issueDevToken({
  sub = 'dev-user',
  permissions = Object.values(PERMISSIONS),
  type = 'access',
  ttlSeconds = 3600,
  issuer = DEV_ISSUER,
  audience = DEV_AUDIENCE,
  dataDir = defaultDataDir(),
  onNewKey,
}: DevTokenOptions = {}): Promise<string> {
  const privateJwk = await loadOrCreateKey(dataDir, onNewKey);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ type, permissions })
    .setProtectedHeader({ alg: 'RS256', kid: privateJwk.kid as string })
    .setSubject(sub)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(privateJwk);
}

/** Publishes the dev public key on loopback, where the service's JWT_JWKS_URL points in dev mode. */
export async function startJwksServer({ dataDir = defaultDataDir(), port = 8084 }: { dataDir?: string; port?: number } = {}): Promise<RunningJwksServer> {
  const body = JSON.stringify({ keys: [publicPart(await loadOrCreateKey(dataDir))] });
  const server = createServer((req, res) => {
    if (req.url !== JWKS_PATH) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await listen(server, port);
  return { jwksUrl: `http://127.0.0.1:${port}${JWKS_PATH}`, stop: () => close(server) };
}

/** Generated on first use and kept, so tokens and the kid stay valid across restarts. */
async function loadOrCreateKey(dataDir: string, onNewKey?: (keysDir: string) => void): Promise<JWK> {
  const keysDir = path.join(dataDir, 'dev-keys');
  const file = path.join(keysDir, KEY_FILE);
  const existing = await readJwk(file);
  if (existing) return existing;
  const jwk = await generatePrivateJwk();
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process (say `npm run token` while the dev environment starts) wrote its key first: use that one.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readJwk(file)) as JWK;
    throw error;
  }
  onNewKey?.(keysDir);
  return jwk;
}

async function readJwk(file: string): Promise<JWK | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : (JSON.parse(text) as JWK);
}

async function generatePrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  // The RFC 7638 thumbprint only depends on the public key: a kid that is stable and unique to this key.
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

function publicPart({ kty, n, e, kid, alg, use }: JWK): JWK {
  return { kty, n, e, kid, alg, use };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? portTakenError(port, 'JWKS server', 'DEV_JWKS_PORT') : error));
    server.listen(port, '127.0.0.1', resolve);
  });
}

/** Keep-alive connections (the service's JWKS fetcher) would hold close() open, so they are cut. */
function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
