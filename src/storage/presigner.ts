import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { StorageConfig } from '../config/storage-config.js';
import { objectLocation, queryString } from './object-url.js';

export interface PresignRequest {
  method: 'GET' | 'PUT';
  bucket: string;
  key: string;
  /** Headers storage must see with exactly these values (all of them are signed). */
  headers?: Record<string, string>;
  signedAt?: Date;
  expiresInSeconds: number;
}

/**
 * SigV4 query presigning with the SDK's own signer, called directly: the full client middleware
 * stack (getSignedUrl) costs ~30x more per URL, and the signer caches its signing key per day.
 */
export class Presigner {
  private readonly signer: SignatureV4;

  constructor(private readonly config: StorageConfig) {
    this.signer = new SignatureV4({
      credentials: { accessKeyId: config.accessKey, secretAccessKey: config.secret },
      region: config.region,
      service: 's3',
      sha256: Hash.bind(null, 'sha256'),
      // S3 signs the path as sent (already escaped once), not double-escaped like other services.
      uriEscapePath: false,
    });
  }

  async presign(request: PresignRequest): Promise<string> {
    const location = objectLocation(this.config, request.bucket, request.key);
    const host = this.hostHeader(location.hostname, location.port);
    const headers = { host, ...request.headers };
    const signed = await this.signer.presign(
      new HttpRequest({ method: request.method, protocol: location.protocol, hostname: location.hostname, port: location.port, path: location.path, headers }),
      {
        signingDate: request.signedAt,
        expiresIn: request.expiresInSeconds,
        signableHeaders: new Set(Object.keys(headers).map((h) => h.toLowerCase())),
        // Keep x-amz-* headers (checksum, etc.) as headers the client must send, not query parameters.
        unhoistableHeaders: new Set(Object.keys(request.headers ?? {}).map((h) => h.toLowerCase())),
      },
    );
    return `${location.protocol}//${host}${location.path}?${queryString(signed.query ?? {})}`;
  }

  private hostHeader(hostname: string, port: number): string {
    const defaultPort = this.config.useHttps ? 443 : 80;
    return port === defaultPort ? hostname : `${hostname}:${port}`;
  }
}
