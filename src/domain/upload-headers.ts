import type { Asset } from './asset.js';
import { sha256HexToBase64 } from './checksum.js';

export interface UploadHeader {
  name: string;
  value: string;
}

/** Public objects never change (keys are never reused), so caches may keep them forever. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * The headers a client must send with its PUT, all signed into the upload URL so that storage
 * itself refuses anything else: the declared type, the declared checksum (where storage checks it),
 * write-once (`If-None-Match: *` makes a second PUT to the key fail), and caching for public objects.
 * Content-Length is signed too but is not listed: HTTP clients set it themselves from the body.
 */
export function uploadHeaders(asset: Pick<Asset, 'mimeType' | 'checksum' | 'visibility'>): UploadHeader[] {
  const headers: UploadHeader[] = [{ name: 'Content-Type', value: asset.mimeType }];
  if (asset.checksum) headers.push({ name: 'x-amz-checksum-sha256', value: sha256HexToBase64(asset.checksum) });
  headers.push({ name: 'If-None-Match', value: '*' });
  if (asset.visibility === 'PUBLIC') headers.push({ name: 'Cache-Control', value: IMMUTABLE_CACHE_CONTROL });
  return headers;
}
