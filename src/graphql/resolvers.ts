import type { Asset } from '../domain/asset.js';
import type { AssetService } from '../domain/asset-service.js';
import { encodeCursor, type AssetPage, type ListRequest } from '../domain/asset-list.js';
import type { UploadRequest } from '../domain/upload-request.js';
import { authenticated, principalOf, type RequestContext } from './context.js';
import { entityId } from './entity-reference.js';
import { DateTime, Long } from './scalars.js';

/** Thin resolvers: authenticate, hand over to the lifecycle, shape the answer. */
export function buildResolvers(service: AssetService) {
  return {
    DateTime,
    Long,
    Query: {
      asset: (_: unknown, args: { id: string }, ctx: RequestContext) => service.get(principalOf(ctx), args.id),
      assets: async (_: unknown, args: ListRequest, ctx: RequestContext) => toConnection(await service.list(principalOf(ctx), args)),
    },
    Mutation: {
      createAssetUpload: (_: unknown, args: { input: UploadRequest }, ctx: RequestContext) => service.createUpload(principalOf(ctx), args.input),
      confirmAssetUpload: (_: unknown, args: { input: { assetId: string; checksum?: string | null } }, ctx: RequestContext) =>
        service.confirmUpload(principalOf(ctx), args.input.assetId, args.input.checksum),
      deleteAsset: (_: unknown, args: { assetId: string }, ctx: RequestContext) => service.delete(principalOf(ctx), args.assetId),
    },
    // Field resolvers run per asset and emit no events: the principal without its per-request copy.
    Asset: {
      __resolveReference: (ref: { id?: unknown }, _: unknown, ctx: RequestContext) => service.get(principalOf(ctx), entityId(ref)),
      uploadUrl: (asset: Asset, _: unknown, ctx: RequestContext) => service.uploadUrl(authenticated(ctx), asset),
      uploadHeaders: (asset: Asset, _: unknown, ctx: RequestContext) => service.uploadHeaders(authenticated(ctx), asset),
      idempotencyKey: (asset: Asset, _: unknown, ctx: RequestContext) => service.idempotencyKey(authenticated(ctx), asset),
      uploadExpiresAt: (asset: Asset) => (asset.status === 'PENDING' ? asset.uploadExpiresAt : null),
      publicUrl: (asset: Asset) => service.publicUrl(asset),
      downloadUrl: (asset: Asset, args: { ttlSeconds: number }, ctx: RequestContext) => service.downloadUrl(authenticated(ctx), asset, args.ttlSeconds),
    },
  };
}

/** A page as a Relay-style connection: each edge's cursor is its own position. */
function toConnection(page: AssetPage) {
  const edges = page.assets.map((node) => ({ node, cursor: encodeCursor(node) }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}
