/** The GraphQL operations the client sends. */
const ASSET_FIELDS = `id ownerId namespace visibility storageKey mimeType sizeBytes checksum originalFilename status failureReason
  publicUrl downloadUrl idempotencyKey createdAt updatedAt`;

export const CREATE_UPLOAD = `mutation CreateAssetUpload($input: CreateAssetUploadInput!) {
  createAssetUpload(input: $input) { ${ASSET_FIELDS} uploadUrl uploadHeaders { name value } uploadExpiresAt } }`;

export const CONFIRM_UPLOAD = `mutation ConfirmAssetUpload($assetId: ID!, $checksum: String) {
  confirmAssetUpload(input: { assetId: $assetId, checksum: $checksum }) { ${ASSET_FIELDS} } }`;

export const GET_ASSET = `query Asset($id: ID!) { asset(id: $id) { ${ASSET_FIELDS} } }`;

export const GET_DOWNLOAD_URL = `query AssetDownloadUrl($id: ID!, $ttlSeconds: Int) {
  asset(id: $id) { id status publicUrl downloadUrl(ttlSeconds: $ttlSeconds) } }`;

export const LIST_ASSETS = `query Assets($namespace: String, $status: AssetStatus, $includePublic: Boolean, $first: Int, $after: String) {
  assets(namespace: $namespace, status: $status, includePublic: $includePublic, first: $first, after: $after) {
    edges { node { ${ASSET_FIELDS} } }
    pageInfo { hasNextPage endCursor } } }`;

export const DELETE_ASSET = `mutation DeleteAsset($assetId: ID!) { deleteAsset(assetId: $assetId) }`;
