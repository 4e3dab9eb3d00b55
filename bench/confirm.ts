// Confirm latency (issue: upload integrity): confirm reads the staged upload back, hashes it when a
// checksum was declared, inspects it, copies it to the asset's key and deletes the upload. Measured per object size, with and without a checksum,
// against the real S3 server; uploads are prepared first so that only confirmAssetUpload is timed.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface ConfirmVariant {
  title: string;
  sizeBytes: number;
  checksum: boolean;
}

export interface ConfirmMeasurement extends ConfirmVariant {
  confirms: number;
  confirmsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  wrong: number;
}

export const CONFIRM_VARIANTS: ConfirmVariant[] = [
  { title: 'confirm 100 KB PNG', sizeBytes: 100_000, checksum: false },
  { title: 'confirm 100 KB PNG + SHA-256', sizeBytes: 100_000, checksum: true },
  { title: 'confirm 2 MB PNG', sizeBytes: 2_000_000, checksum: false },
  { title: 'confirm 2 MB PNG + SHA-256', sizeBytes: 2_000_000, checksum: true },
];

const CREATE = `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { id uploadUrl uploadHeaders { name value } } }`;
const CONFIRM = `mutation($id: ID!) { confirmAssetUpload(input: { assetId: $id }) { status } }`;

/** A valid PNG of the given size: a 64x64 header, then a private ancillary chunk as filler. */
export function pngOfSize(sizeBytes: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.from([0, 0, 0, 64, 0, 0, 0, 64, 8, 6, 0, 0, 0]);
  const head = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr)]);
  const end = chunk('IEND', Buffer.alloc(0));
  const filler = chunk('prIv', Buffer.alloc(sizeBytes - head.length - end.length - 12, 7));
  return Buffer.concat([head, filler, end]);
}

async function gql(url: string, token: string, query: string, variables: object): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

/** Creates and uploads `count` objects (untimed); returns their asset ids. */
async function prepareUploads(url: string, tokens: string[], variant: ConfirmVariant, count: number): Promise<{ id: string; token: string }[]> {
  const body = pngOfSize(variant.sizeBytes);
  const checksum = variant.checksum ? createHash('sha256').update(body).digest('hex') : undefined;
  const prepared: { id: string; token: string }[] = [];
  for (let i = 0; i < count; i++) {
    const token = tokens[i % tokens.length]!;
    const input = { namespace: 'user-profiles', filename: 'bench.png', mimeType: 'image/png', sizeBytes: body.length, checksum };
    const asset = (await gql(url, token, CREATE, { input })).data?.createAssetUpload;
    if (!asset) throw new Error(`confirm bench: createAssetUpload failed for ${variant.title}`);
    const headers = Object.fromEntries(asset.uploadHeaders.map((h: { name: string; value: string }) => [h.name, h.value]));
    const put = await fetch(asset.uploadUrl, { method: 'PUT', body: body as unknown as BodyInit, headers });
    if (put.status !== 200) throw new Error(`confirm bench: PUT answered ${put.status} for ${variant.title}`);
    prepared.push({ id: asset.id, token });
  }
  return prepared;
}

/** Confirms the prepared uploads with `concurrency` callers at once, timing each confirm. */
export async function measureConfirms(url: string, tokens: string[], variant: ConfirmVariant, count: number, concurrency: number): Promise<ConfirmMeasurement> {
  const uploads = await prepareUploads(url, tokens, variant, count);
  const latencies: number[] = [];
  let wrong = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < uploads.length) {
      const upload = uploads[next++]!;
      const t0 = performance.now();
      const answer = await gql(url, upload.token, CONFIRM, { id: upload.id });
      latencies.push(performance.now() - t0);
      if (answer.data?.confirmAssetUpload?.status !== 'READY') wrong++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10;
  return { ...variant, confirms: count, confirmsPerSecond: Math.round(count / seconds), latencyMs: { p50: at(0.5), p99: at(0.99), max: at(1) }, wrong };
}
