import type { ScenarioName } from './settings.js';

/** One request to send: its body and headers, and what the answer must contain. */
export interface NextRequest {
  body: string;
  headers: Record<string, string>;
  expected?: string;
}

export interface Scenario {
  name: ScenarioName;
  title: string;
  method: 'GET' | 'POST';
  path: string;
  /** Builds each request; absent for a request that never changes. */
  next?: () => NextRequest;
  /** Why a 2xx answer without GraphQL errors is wrong, or null when it is right. */
  problem(answer: Answer, expected: string | undefined): string | null;
}

/** A parsed JSON answer: GraphQL's data and errors, or a plain JSON object. */
export interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { extensions?: { code?: string } }[];
  [field: string]: unknown;
}

export interface SeededAsset {
  id: string;
  owner: number;
}

const CREATE = `mutation Create($input: CreateAssetUploadInput!) {
  createAssetUpload(input: $input) { id status storageKey uploadUrl uploadExpiresAt }
}`;

// uploadUrl makes every read presign, as reading a READY private asset's downloadUrl would.
const READ = `query Read($id: ID!) {
  asset(id: $id) { id ownerId namespace status mimeType sizeBytes storageKey createdAt uploadUrl }
}`;

const JSON_HEADERS = { 'content-type': 'application/json' };

export const floorScenario: Scenario = {
  name: 'floor',
  title: 'GET /health/live (floor)',
  method: 'GET',
  path: '/health/live',
  problem: (answer) => (answer.status === 'ok' ? null : 'unexpected /health/live answer'),
};

/** Every request gets its own idempotency key (the realistic and the costlier path), round-robin over the users. */
export function createScenario(tokens: string[], runId: string): Scenario {
  let sent = 0;
  return {
    name: 'create',
    title: 'createAssetUpload',
    method: 'POST',
    path: '/graphql',
    next: () => {
      const n = sent++;
      return { body: createBody(runId, n), headers: { ...JSON_HEADERS, authorization: `Bearer ${tokens[n % tokens.length]}` } };
    },
    problem: (answer) => {
      const asset = answer.data?.createAssetUpload as { id?: string; status?: string; uploadUrl?: string } | null;
      const valid = typeof asset?.id === 'string' && asset.status === 'PENDING' && asset.uploadUrl?.startsWith('http') === true;
      return valid ? null : 'createAssetUpload returned no PENDING asset with an uploadUrl';
    },
  };
}

/** Reads existing assets round-robin, each with its owner's token (they are private). */
export function readScenario(tokens: string[], assets: SeededAsset[]): Scenario {
  let sent = 0;
  return {
    name: 'read',
    title: 'asset(id)',
    method: 'POST',
    path: '/graphql',
    next: () => {
      const asset = assets[sent++ % assets.length]!;
      const body = JSON.stringify({ query: READ, variables: { id: asset.id } });
      return { body, headers: { ...JSON_HEADERS, authorization: `Bearer ${tokens[asset.owner]}` }, expected: asset.id };
    },
    problem: (answer, expected) => {
      const asset = answer.data?.asset as { id?: string; uploadUrl?: string } | null;
      return asset?.id === expected && asset?.uploadUrl ? null : 'asset(id) did not return the requested asset to its owner';
    },
  };
}

export function createBody(runId: string, n: number): string {
  const input = {
    namespace: 'attachments',
    filename: `bench-${n}.pdf`,
    mimeType: 'application/pdf',
    sizeBytes: 1024 + (n % 4096),
    idempotencyKey: `${runId}-${n}`,
  };
  return JSON.stringify({ query: CREATE, variables: { input } });
}
