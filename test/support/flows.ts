import assert from 'node:assert/strict';
import type pg from 'pg';
import { CONFIRM, CREATE, uploadTo } from './operations.js';
import type { GraphQLResponse, TestService } from './test-service.js';

type GraphQLError = NonNullable<GraphQLResponse['errors']>[number];

/** An Asset as the API returns it (operations.ts ASSET_FIELDS); the fields tests use most are typed. */
export interface AssetJson {
  id: string;
  status: string;
  storageKey: string;
  storageBucket: string;
  uploadUrl: string;
  uploadHeaders: { name: string; value: string }[];
  [field: string]: any;
}

/** The single error of a failed call, after checking it carries `code`; shows the whole answer otherwise. */
export function errorOf(response: GraphQLResponse, code: string): GraphQLError {
  assert.equal(response.errors?.length, 1, `expected one ${code} error, got ${JSON.stringify(response)}`);
  const error = response.errors[0]!;
  assert.equal(error.extensions.code, code, JSON.stringify(error));
  return error;
}

/** The asset a createAssetUpload call returned (as `T`, the fields the caller's query reads), failing with the errors when there was none. */
export async function createUpload<T = AssetJson>(svc: TestService, token: string, input: Record<string, unknown>): Promise<T> {
  const created = await svc.gql(CREATE, { input }, token);
  assert.equal(created.errors, undefined, JSON.stringify(created.errors));
  return created.data!.createAssetUpload;
}

/** Creates and PUTs `body` with the signed headers, as a well-behaved client would: a PENDING asset whose object is in storage. */
export async function uploadedAsset<T extends Parameters<typeof uploadTo>[0] = AssetJson>(svc: TestService, token: string, input: Record<string, unknown>, body: Uint8Array | string): Promise<T> {
  const asset = await createUpload<T>(svc, token, input);
  const put = await uploadTo(asset, body);
  assert.equal(put.status, 200, `storage refused the PUT: ${await put.text()}`);
  return asset;
}

/** Creates, PUTs `body` with the signed headers and confirms: a READY asset. */
export async function readyAsset(svc: TestService, token: string, input: Record<string, unknown>, body: Uint8Array | string): Promise<AssetJson> {
  const asset = await uploadedAsset(svc, token, input, body);
  const confirmed = await svc.gql(CONFIRM, { id: asset.id }, token);
  assert.equal(confirmed.errors, undefined, JSON.stringify(confirmed.errors));
  return confirmed.data!.confirmAssetUpload;
}

export async function countAssets(db: pg.Pool, ownerId?: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM assets WHERE $1::text IS NULL OR owner_id = $1', [ownerId ?? null]);
  return rows[0]!.n;
}

/** A presigned URL's lifetime in seconds, as signed into it. */
export function signedLifetimeSeconds(url: string): number {
  return Number(new URL(url).searchParams.get('X-Amz-Expires'));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
