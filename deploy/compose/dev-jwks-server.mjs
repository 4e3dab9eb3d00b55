// The token issuer's JWKS for the local Docker Compose stack. It publishes the public half of the key that
// `npm run token` signs with (.data/dev-keys/, created on first use), so tokens minted on the host are
// accepted by the service in the stack. Plain Node, no dependencies: it runs in the stock node image.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const keyFile = process.env.DEV_SIGNING_KEY ?? '/repo/.data/dev-keys/signing-key.private.jwk.json';
const port = Number(process.env.PORT ?? 8084);
const JWKS_PATH = '/.well-known/jwks.json';
// Everything a verifier needs; the private members (d, p, q, dp, dq, qi) never leave the file.
const PUBLIC_MEMBERS = ['kty', 'n', 'e', 'kid', 'alg', 'use'];

/** Read on every request, so a key created after the stack started is served without a restart. */
async function jwks() {
  const privateJwk = JSON.parse(await readFile(keyFile, 'utf8'));
  const publicJwk = Object.fromEntries(PUBLIC_MEMBERS.filter((m) => m in privateJwk).map((m) => [m, privateJwk[m]]));
  return { keys: [publicJwk] };
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  if (req.url === '/health') return send(res, 200, { status: 'ok' });
  if (req.url !== JWKS_PATH) return send(res, 404, { error: `not found; the JWKS is at ${JWKS_PATH}` });
  try {
    send(res, 200, await jwks());
  } catch (error) {
    const hint = error.code === 'ENOENT' ? 'no dev signing key yet: run `npm run token` once on the host' : error.message;
    send(res, 503, { error: hint });
  }
});

server.listen(port, '0.0.0.0', () => console.log(`dev JWKS for ${keyFile} at http://0.0.0.0:${port}${JWKS_PATH}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close(() => process.exit(0)));
