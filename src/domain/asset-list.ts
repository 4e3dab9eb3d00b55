import type { Asset, AssetStatus } from './asset.js';
import { validationError } from './errors.js';

export const MAX_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a caller asks the `assets` list for. */
export interface ListRequest {
  namespace?: string | null;
  status?: AssetStatus | null;
  includePublic?: boolean | null;
  first?: number | null;
  after?: string | null;
}

/** Where a page starts: just past this asset in newest-first order. */
export interface ListPosition {
  createdAt: Date;
  id: string;
}

/** What the repository is asked for; `limit` rows at most. */
export interface ListCriteria {
  ownerId: string;
  /** Also READY PUBLIC assets of other owners. */
  includePublic: boolean;
  namespace: string | null;
  status: AssetStatus | null;
  after: ListPosition | null;
  limit: number;
}

export interface AssetPage {
  assets: Asset[];
  hasNextPage: boolean;
}

/**
 * Cursors are opaque to callers but are only a position (createdAt, id): a cursor stays valid
 * while rows are added or deleted, and a page never repeats or skips an asset.
 */
export function encodeCursor(asset: Pick<Asset, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([asset.createdAt.toISOString(), asset.id])).toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const date = new Date(String(createdAt));
    if (typeof createdAt === 'string' && typeof id === 'string' && UUID.test(id) && isOwnTimestamp(createdAt, date)) return { createdAt: date, id };
  } catch {
    // Falls through to the same answer as a well-formed but meaningless cursor.
  }
  throw validationError('after is not a cursor this API returned; pass pageInfo.endCursor of the previous page, or omit it.', 'after');
}

/**
 * Exactly as encodeCursor writes it, a four-digit year: what JavaScript dates reach beyond that
 * (270,000 BC, year 275,760) PostgreSQL's timestamps do not, and would fail the query.
 */
function isOwnTimestamp(text: string, date: Date): boolean {
  return !Number.isNaN(date.getTime()) && /^\d{4}-/.test(text) && date.toISOString() === text;
}

/** `assets(first: Int = 20)` in the schema: a page when first is not given. */
export const DEFAULT_PAGE_SIZE = 20;

export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw validationError(`first must be a whole number from 1 to ${MAX_PAGE_SIZE}.`, 'first');
  }
  return size;
}
