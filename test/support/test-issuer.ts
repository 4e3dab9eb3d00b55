import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { PERMISSIONS } from '../../src/domain/principal.js';

export const ALL_PERMISSIONS = Object.values(PERMISSIONS);
export const TEST_ISSUER = 'neotool-test-issuer';
export const TEST_AUDIENCE = 'neotool-assets';

export interface TokenOptions {
  sub?: string;
  permissions?: string[];
  type?: string;
  expiresInSeconds?: number;
  issuer?: string;
  audience?: string;
  kid?: string;
  claims?: Record<string, unknown>;
}

/** A real token issuer for tests: RS256 keys served as JWKS over HTTP on loopback. */
export class TestIssuer {
  jwksRequests = 0;
  /** Delays every JWKS answer: keeps a first request in flight for as long as a test needs. */
  jwksDelayMs = 0;
  private keys: { kid: string; privateKey: CryptoKey; publicJwk: JWK }[] = [];
  private server?: Server;

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  async start(): Promise<this> {
    await this.rotateKey();
    this.server = createServer((_, res) => {
      this.jwksRequests++;
      res.setHeader('content-type', 'application/json');
      setTimeout(() => res.end(JSON.stringify({ keys: this.keys.map((k) => k.publicJwk) })), this.jwksDelayMs);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Adds a new signing key (published at once); tokens are signed with the newest key. */
  async rotateKey(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = `key-${this.keys.length + 1}-${Date.now()}`;
    this.keys.push({ kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } });
    return kid;
  }

  /** Signed with the key `kid` names when this issuer holds it, else with the newest key (under `kid`, to forge one). */
  async token(options: TokenOptions = {}): Promise<string> {
    const key = this.keys.find((k) => k.kid === options.kid) ?? this.keys[this.keys.length - 1]!;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ type: options.type ?? 'access', permissions: options.permissions ?? ALL_PERMISSIONS, ...options.claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid })
      .setSubject(options.sub ?? 'user-1')
      .setIssuer(options.issuer ?? TEST_ISSUER)
      .setAudience(options.audience ?? TEST_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresInSeconds ?? 600))
      .sign(key.privateKey);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
