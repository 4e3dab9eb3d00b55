import { endpointUrl, type StorageConfig } from '../config/storage-config.js';

/** RFC 3986 escaping, as SigV4 canonicalises it (encodeURIComponent leaves !'()* alone). */
export function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Escapes each key segment, keeping "/" as the separator S3 expects in a canonical URI. */
export function encodeKey(key: string): string {
  return key.split('/').map(escapeUri).join('/');
}

/** Where an object lives: host and path for path-style (MinIO) or virtual-hosted style (R2, S3). */
export function objectLocation(config: StorageConfig, bucket: string, key: string): { protocol: string; hostname: string; port: number; path: string } {
  const protocol = config.useHttps ? 'https:' : 'http:';
  // A dotted bucket name as a subdomain is not covered by the endpoint's wildcard certificate: use the path.
  if (config.forcePathStyle || bucket.includes('.')) {
    return { protocol, hostname: config.hostname, port: config.port, path: `/${bucket}/${encodeKey(key)}` };
  }
  return { protocol, hostname: `${bucket}.${config.hostname}`, port: config.port, path: `/${encodeKey(key)}` };
}

/** The Host header (signed) for a location's hostname: the port only when it is not the scheme's default. */
export function hostHeader(config: StorageConfig, hostname: string): string {
  return config.port === (config.useHttps ? 443 : 80) ? hostname : `${hostname}:${config.port}`;
}

export function publicObjectUrl(config: StorageConfig, key: string): string {
  return `${config.publicBaseUrl}/${encodeKey(key)}`;
}

export { endpointUrl };
