import type { GraphQLSchema } from 'graphql';
import { MAX_PAGE_SIZE } from '../domain/asset-list.js';
import { AssetError } from '../domain/errors.js';

/**
 * What a federation gateway must send in `_entities(representations: $representations)`. As a variable:
 * graphql-jit (Mercurius's JIT) loses a variable written inside an `_Any` literal, such as
 * `[{__typename: "Asset", id: $id}]`, from a query's second call on, so only that form works every time.
 */
const REPRESENTATION =
  'An _entities representation must be {"__typename": "Asset", "id": "<asset id>"}, sent as the variable of _entities(representations: $representations) as gateways do: Asset is the only entity this service resolves.';

/** The asset id of a representation the gateway resolved to Asset (`_Any` lets it send anything). */
export function entityId(reference: { id?: unknown }): string {
  if (typeof reference.id !== 'string') throw new AssetError('VALIDATION_ERROR', REPRESENTATION);
  return reference.id;
}

/**
 * The federation plugin's refusal of a representation whose __typename is no type of this schema
 * (also a representation that is no object at all): the gateway's mistake, told as such.
 */
export function unknownEntityType(error: Error): AssetError | undefined {
  const code = (error as { code?: unknown }).code;
  return code === 'MER_ERR_GQL_FEDERATION_INVALID_SCHEMA' ? new AssetError('VALIDATION_ERROR', REPRESENTATION) : undefined;
}

/** Assets one `_entities` call may ask for: as many as one page of `assets`. */
export const MAX_REPRESENTATIONS = MAX_PAGE_SIZE;

/**
 * Refuses an `_entities` call with more than MAX_REPRESENTATIONS representations before any is resolved.
 * They come as a variable, which the operation limits (operation-limits.ts, checked on the query text)
 * cannot see: 20,000 of them in a 0.7 MB body were 20,000 lookups and a 56 MB answer. The federation
 * plugin owns the resolver, so it is wrapped in the schema it built.
 */
export function limitRepresentations(schema: GraphQLSchema): void {
  const entities = schema.getQueryType()?.getFields()._entities;
  const resolve = entities?.resolve;
  if (!entities || !resolve) return;
  entities.resolve = (source, args: { representations: unknown[] }, context, info) => {
    const count = args.representations.length;
    if (count > MAX_REPRESENTATIONS) {
      throw new AssetError('VALIDATION_ERROR', `_entities takes at most ${MAX_REPRESENTATIONS} representations per request (got ${count}): send them in several requests.`);
    }
    return resolve(source, args, context, info);
  };
}
