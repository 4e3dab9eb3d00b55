import type { Asset } from './asset.js';
import { sha256HexToBase64 } from './checksum.js';

export interface UploadHeader {
  name: string;
  value: string;
}

const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * The headers a client must send with its PUT, signed into the upload URL so that storage itself
 * refuses anything else: the declared type, and the checksum when one was declared at create (storage
 * checks it). Content-Length is signed too but is not listed: HTTP clients set it themselves from the
 * body. Write-once and caching need nothing from the client: the PUT reaches a staging key, and confirm
 * copies the checked bytes to the asset's key with their Cache-Control (see STAGING_PREFIX).
 */
export function uploadHeaders(asset: Pick<Asset, 'mimeType' | 'checksum'>): UploadHeader[] {
  const headers: UploadHeader[] = [{ name: 'Content-Type', value: asset.mimeType }];
  if (asset.checksum) headers.push({ name: 'x-amz-checksum-sha256', value: sha256HexToBase64(asset.checksum) });
  return headers;
}

/** How the asset's object is served: public objects never change (keys are never reused), so caches may keep them forever. */
export function cacheControlFor(asset: Pick<Asset, 'visibility'>): string | undefined {
  return asset.visibility === 'PUBLIC' ? IMMUTABLE_CACHE_CONTROL : undefined;
}
