/** The GraphQL documents tests send, written once. */
export const ASSET_FIELDS = `id ownerId namespace visibility storageKey storageBucket storageRegion mimeType sizeBytes checksum
  originalFilename uploadUrl uploadHeaders { name value } uploadExpiresAt publicUrl status failureReason idempotencyKey createdAt updatedAt deletedAt`;

export const CREATE = `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { ${ASSET_FIELDS} } }`;
export const CONFIRM = `mutation($id: ID!, $checksum: String) { confirmAssetUpload(input: { assetId: $id, checksum: $checksum }) { ${ASSET_FIELDS} } }`;
export const GET = `query($id: ID!) { asset(id: $id) { ${ASSET_FIELDS} } }`;
export const GET_DOWNLOAD = `query($id: ID!, $ttl: Int) { asset(id: $id) { id status downloadUrl(ttlSeconds: $ttl) } }`;
export const GET_DELIVERY = `query($id: ID!) { asset(id: $id) { id status visibility publicUrl downloadUrl } }`;
export const DELETE = `mutation($id: ID!) { deleteAsset(assetId: $id) }`;

export function uploadInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { namespace: 'attachments', filename: 'notes.txt', mimeType: 'text/plain', sizeBytes: 11, ...overrides };
}

/** PUTs bytes to a presigned URL the way a browser or curl does. */
export function putBytes(url: string, body: Uint8Array | string, contentType: string, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'PUT', body: body as BodyInit, headers: { 'content-type': contentType, ...extraHeaders } });
}

/** PUTs bytes to an asset's uploadUrl with exactly the uploadHeaders the service asked for. */
export function uploadTo(asset: { uploadUrl: string; uploadHeaders: { name: string; value: string }[] }, body: Uint8Array | string): Promise<Response> {
  const headers = Object.fromEntries(asset.uploadHeaders.map((h) => [h.name, h.value]));
  return fetch(asset.uploadUrl, { method: 'PUT', body: body as BodyInit, headers });
}
