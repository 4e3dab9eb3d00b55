import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export const ISSUER = 'https://security.test';
export const AUDIENCE = 'neotool-assets';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TokenOptions {
  sub?: string | null;
  claims?: Record<string, unknown>;
  /** null: a token without `iss` (or `aud`). */
  issuer?: string | null;
  audience?: string | null;
  /** null: a token without `exp`. */
  expiresAt?: number | null;
  /** The `nbf` claim, in seconds since the epoch. */
  notBefore?: number;
  /** Signs with this key instead of the newest published one. */
  key?: SigningKey;
  kid?: string;
}

/** RS256 keys and a JWKS endpoint on 127.0.0.1 that counts its requests. */
export class LocalIssuer {
  requests = 0;
  private readonly published: SigningKey[] = [];
  private server: Server | undefined;

  static async newKey(kid: string): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  }

  async start(): Promise<this> {
    await this.rotate();
    this.server = createServer((_, res) => {
      this.requests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: this.published.map((k) => k.publicJwk) }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/jwks.json`;
  }

  /** Publishes a new key; tokens are signed with it from now on. */
  async rotate(): Promise<string> {
    const key = await LocalIssuer.newKey(`key-${this.published.length + 1}`);
    this.published.push(key);
    return key.kid;
  }

  /** Stops publishing the key `kid`: tokens it signed can no longer be verified. */
  withdraw(kid: string): void {
    this.published.splice(this.published.findIndex((k) => k.kid === kid), 1);
  }

  async token(options: TokenOptions = {}): Promise<string> {
    const key = options.key ?? this.published[this.published.length - 1]!;
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ type: 'access', permissions: ['assets:asset:view'], ...options.claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid })
      .setIssuedAt(now);
    if (options.issuer !== null) jwt.setIssuer(options.issuer ?? ISSUER);
    if (options.audience !== null) jwt.setAudience(options.audience ?? AUDIENCE);
    if (options.expiresAt !== null) jwt.setExpirationTime(options.expiresAt ?? now + 600);
    if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
    if (options.sub !== null) jwt.setSubject(options.sub ?? 'user-1');
    return jwt.sign(key.privateKey);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
