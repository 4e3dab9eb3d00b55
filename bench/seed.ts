import { createBody, type SeededAsset } from './scenarios.js';

const PARALLEL = 16;

/** Creates the assets the read scenario reads, spread over the users. */
export async function seedAssets(url: string, tokens: string[], count: number, runId: string): Promise<SeededAsset[]> {
  const assets: SeededAsset[] = [];
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < count; n = next++) {
      const owner = n % tokens.length;
      assets.push({ id: await createOne(url, tokens[owner]!, createBody(runId, n)), owner });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return assets;
}

async function createOne(url: string, token: string, body: string): Promise<string> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  const text = await res.text();
  const id = (JSON.parse(text) as { data?: { createAssetUpload?: { id?: string } } }).data?.createAssetUpload?.id;
  if (!res.ok || !id) throw new Error(`seeding the read scenario failed: HTTP ${res.status} ${text.slice(0, 500)}`);
  return id;
}
