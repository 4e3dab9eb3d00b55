/** The public GraphQL contract (SPEC §3), an Apollo Federation v1 subgraph with Asset as an entity. */
export const schema = /* GraphQL */ `
  scalar DateTime
  scalar Long

  enum AssetVisibility {
    PUBLIC
    PRIVATE
  }

  enum AssetStatus {
    PENDING
    READY
    FAILED
    DELETED
  }

  "A header the PUT to uploadUrl must carry, exactly as given (it is signed into the URL)."
  type UploadHeader {
    name: String!
    value: String!
  }

  type Asset @key(fields: "id") {
    id: ID!
    ownerId: String!
    namespace: String!
    visibility: AssetVisibility!
    storageKey: String!
    storageRegion: String!
    storageBucket: String!
    mimeType: String!
    sizeBytes: Long!
    checksum: String
    originalFilename: String!
    "Presigned PUT, only for the owner's token with assets:asset:upload, and only while the upload is PENDING and open."
    uploadUrl: String
    "Headers to send with the PUT to uploadUrl (owner only, like uploadUrl). Content-Length is signed too: send exactly sizeBytes bytes."
    uploadHeaders: [UploadHeader!]
    uploadExpiresAt: DateTime
    "Delivery URL of a READY asset in a PUBLIC namespace."
    publicUrl: String
    "Presigned GET of a READY asset in a PRIVATE namespace, for the owner's token with assets:asset:view (null for an upload-only token); ttlSeconds is capped by the server."
    downloadUrl(ttlSeconds: Int = 3600): String
    status: AssetStatus!
    """
    Why the asset is FAILED: OBJECT_MISSING, SIZE_MISMATCH, CONTENT_TYPE_MISMATCH, CHECKSUM_MISMATCH,
    CONTENT_MISMATCH, BINARY_CONTENT, UNSAFE_SVG, IMAGE_UNREADABLE, IMAGE_TOO_LARGE or UPLOAD_EXPIRED.
    """
    failureReason: String
    "The owner's idempotency key; null for anyone else."
    idempotencyKey: String
    createdAt: DateTime!
    updatedAt: DateTime!
    deletedAt: DateTime
  }

  input CreateAssetUploadInput {
    namespace: String!
    filename: String!
    mimeType: String!
    sizeBytes: Long!
    "Same owner + same key within 24 h returns the same asset."
    idempotencyKey: String
    "SHA-256 of the file, hex or base64: storage and confirm verify the bytes against it."
    checksum: String
  }

  input ConfirmAssetUploadInput {
    assetId: ID!
    "SHA-256 of the file, hex or base64, when not declared at create: confirm verifies the stored bytes against it."
    checksum: String
  }

  type AssetEdge {
    node: Asset!
    "Pass as after to get the assets following this one."
    cursor: String!
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type AssetConnection {
    edges: [AssetEdge!]!
    pageInfo: PageInfo!
  }

  extend type Query {
    "PUBLIC assets are visible to any caller, PRIVATE ones to their owner only; otherwise null."
    asset(id: ID!): Asset
    """
    The caller's own assets (never DELETED ones), newest first; with includePublic also every other
    owner's READY PUBLIC assets. first: 1 to 100; after: pageInfo.endCursor of the previous page.
    """
    assets(namespace: String, status: AssetStatus, includePublic: Boolean = false, first: Int = 20, after: String): AssetConnection!
  }

  extend type Mutation {
    createAssetUpload(input: CreateAssetUploadInput!): Asset!
    confirmAssetUpload(input: ConfirmAssetUploadInput!): Asset!
    "Removes the object from storage and the asset from the API. Owner only."
    deleteAsset(assetId: ID!): Boolean!
  }
`;
