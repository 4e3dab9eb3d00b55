import type { StorageConfig } from '../config/storage-config.js';
import { hostHeader, objectLocation } from './object-url.js';
import { SigV4QuerySigner } from './sigv4-query-signer.js';

export interface PresignRequest {
  method: 'GET' | 'PUT';
  bucket: string;
  key: string;
  /** Headers storage must see with exactly these values (all of them are signed). */
  headers?: Record<string, string>;
  signedAt?: Date;
  expiresInSeconds: number;
}

/** Presigned URLs for one storage endpoint, path-style or virtual-hosted. */
export class Presigner {
  private readonly signer: SigV4QuerySigner;

  constructor(private readonly config: StorageConfig) {
    this.signer = new SigV4QuerySigner(config.accessKey, config.secret, config.region);
  }

  presign(request: PresignRequest): string {
    const location = objectLocation(this.config, request.bucket, request.key);
    const host = hostHeader(this.config, location.hostname);
    const headers: Record<string, string> = { host };
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    const query = this.signer.sign({
      method: request.method,
      path: location.path,
      headers,
      query: { 'x-id': request.method === 'PUT' ? 'PutObject' : 'GetObject' },
      signedAt: request.signedAt ?? new Date(),
      expiresInSeconds: request.expiresInSeconds,
    });
    return `${location.protocol}//${host}${location.path}?${query}`;
  }
}
