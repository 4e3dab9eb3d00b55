// `npm run dev` refuses settings of real infrastructure (startup.test.ts), but passes tuning settings
// (limits, TTLs, timeouts) on to the service it starts, so a developer can try them out locally.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDevCommand, type RunningDevCommand } from '../../e2e/support/dev-command.js';
import { runCli } from '../../support/cli-process.js';
import { errorOf } from '../../support/flows.js';
import { postGraphQL } from '../../support/test-service.js';

const CREATE = `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { id uploadUrl } }`;
const upload = (sizeBytes: number) => ({ input: { namespace: 'group-assets', filename: 'logo.png', mimeType: 'image/png', sizeBytes } });

describe('`neotool-assets dev` with tuning settings in its environment', () => {
  let dev: RunningDevCommand;
  let token: string;

  before(async () => {
    dev = await startDevCommand({ STORAGE_MAX_UPLOAD_BYTES: '1500', STORAGE_UPLOAD_TTL_SECONDS: '120', STORAGE_TIMEOUT_MS: '4000' });
    const issued = await runCli(['token'], {}, { cwd: dev.cwd, timeoutMs: 60_000 });
    assert.equal(issued.code, 0, issued.stderr);
    token = issued.stdout.trim();
  });
  after(async () => {
    await dev?.stop();
  });

  test('refuses an upload over STORAGE_MAX_UPLOAD_BYTES, which is below the namespace limit', async () => {
    const error = errorOf(await postGraphQL(dev.url, CREATE, upload(2000), token), 'VALIDATION_ERROR');
    assert.match(error.message, /accepts at most 1500 bytes/);
  });

  test('signs upload URLs for STORAGE_UPLOAD_TTL_SECONDS in a namespace without a TTL of its own', async () => {
    const { data } = await postGraphQL(dev.url, CREATE, upload(1024), token);
    assert.equal(new URL(data.createAssetUpload.uploadUrl).searchParams.get('X-Amz-Expires'), '120');
  });
});
