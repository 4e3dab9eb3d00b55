// `npm run dev` as a developer uses it, started once for the whole file with tuning settings in its
// environment:
// - `npm run token`: `neotool-assets dev` runs in one terminal, `neotool-assets token` in another from the
//   same directory (so the same .data/dev-keys), and its output goes into the Authorization header of a
//   request to the dev service.
// - Tuning settings (limits, TTLs, timeouts) are passed on to the service it starts, so a developer can try
//   them out locally; settings of real infrastructure are refused (startup.test.ts).
import { decodeJwt } from 'jose';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDevCommand, type RunningDevCommand } from '../../e2e/support/dev-command.js';
import { runCli, type CliResult } from '../../support/cli-process.js';
import { errorOf, signedLifetimeSeconds } from '../../support/flows.js';
import { CREATE, uploadInput } from '../../support/operations.js';
import { postGraphQL } from '../../support/test-service.js';

/** A PNG for group-assets, a namespace without an upload TTL of its own; 1024 bytes unless said otherwise. */
const logo = (sizeBytes = 1024) => uploadInput({ namespace: 'group-assets', filename: 'logo.png', mimeType: 'image/png', sizeBytes });
const INPUT = logo();

// One dev environment for the file. Every upload of the token tests (1024 bytes) is under STORAGE_MAX_UPLOAD_BYTES.
let dev: RunningDevCommand;
before(async () => {
  dev = await startDevCommand({ STORAGE_MAX_UPLOAD_BYTES: '1500', STORAGE_UPLOAD_TTL_SECONDS: '120', STORAGE_TIMEOUT_MS: '4000' });
});
after(async () => {
  await dev?.stop();
});

/** What `npm run token -- <args>` prints in the directory `npm run dev` runs in (its .data/ holds the signing key). */
function token(args: string[] = [], cwd = dev.cwd): Promise<CliResult> {
  return runCli(['token', ...args], {}, { cwd, timeoutMs: 60_000 });
}

/** The token the command printed: its only line of output. */
async function issued(args: string[] = []): Promise<string> {
  const result = await token(args);
  assert.equal(result.code, 0, `token ${args.join(' ')} exited with ${result.code}: ${result.stderr}`);
  assert.equal(result.stderr, '', 'the dev service made the key here: nothing to warn about');
  assert.match(result.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'stdout is the token on one line, nothing else');
  return result.stdout.trim();
}

const gql = (query: string, variables: Record<string, unknown>, bearer: string) => postGraphQL(dev.url, query, variables, bearer);

describe('`neotool-assets token` (npm run token) against the running dev environment', () => {
  test('the default token (subject dev-user, upload/view/delete, 1 h) creates an upload on the dev service', async () => {
    const bearer = await issued();
    const answer = await gql(CREATE, { input: INPUT }, bearer);
    assert.equal(answer.errors, undefined, `${JSON.stringify(answer.errors)}\n${dev.output()}`);
    const asset = answer.data!.createAssetUpload!;
    assert.equal(asset.ownerId, 'dev-user');
    assert.equal(asset.status, 'PENDING');
    const payload = decodeJwt(bearer);
    assert.deepEqual([...(payload.permissions as string[])].sort(), ['assets:asset:delete', 'assets:asset:upload', 'assets:asset:view']);
    assert.equal(payload.exp! - payload.iat!, 3600);
  });

  test('--sub sets the owner of what the token uploads (surrounding spaces dropped)', async () => {
    const answer = await gql(CREATE, { input: INPUT }, await issued(['--sub', ' alice ']));
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.equal(answer.data!.createAssetUpload!.ownerId, 'alice');
  });

  test('--permissions restricts the token: view only is FORBIDDEN to upload, yet still sees its own asset', async () => {
    const created = await gql(CREATE, { input: INPUT }, await issued(['--sub', 'bob']));
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const viewOnly = await issued(['--sub', 'bob', '--permissions', 'assets:asset:view']);
    assert.deepEqual(decodeJwt(viewOnly).permissions, ['assets:asset:view']);

    const refused = await gql(CREATE, { input: INPUT }, viewOnly);
    errorOf(refused, 'FORBIDDEN');
    assert.match(refused.errors![0]!.message, /assets:asset:upload/);
    // The refusal is the permission, not a token the service could not verify.
    const seen = await gql(`query($id: ID!) { asset(id: $id) { id ownerId } }`, { id: created.data!.createAssetUpload!.id }, viewOnly);
    assert.equal(seen.errors, undefined, JSON.stringify(seen.errors));
    assert.deepEqual(seen.data!.asset, { id: created.data!.createAssetUpload!.id, ownerId: 'bob' });
  });

  test('--ttl sets exp that many seconds after iat, and the service accepts the token', async () => {
    const before = Math.floor(Date.now() / 1000);
    const bearer = await issued(['--ttl', '600']);
    const payload = decodeJwt(bearer);
    assert.equal(payload.exp! - payload.iat!, 600);
    assert.ok(payload.iat! >= before && payload.iat! <= Math.floor(Date.now() / 1000), `iat ${payload.iat} is now`);
    const answer = await gql(CREATE, { input: INPUT }, bearer);
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  });

  /** How a usage mistake of `token` is refused: on stderr, exit 2, nothing on stdout (so no token to capture). */
  function assertRefused(result: CliResult, problem: string): void {
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `neotool-assets token: ${problem}; run "neotool-assets token --help" for its usage.\n`);
  }

  const ttlRange = (given: string) => `--ttl must be a whole number of seconds from 1 to 2592000 (30 days), not ${JSON.stringify(given)}`;
  for (const args of [['--ttl=abc'], ['--ttl=0'], ['--ttl=-5'], ['--ttl', '-5'], ['--ttl=1.5'], ['--ttl='], ['--ttl', '2592001'], ['--ttl', '99999999999']]) {
    test(`\`token ${args.join(' ')}\` exits 2 saying --ttl is 1 to 2592000 seconds, and prints no token`, async () => {
      assertRefused(await token(args), ttlRange(args.at(-1)!.replace('--ttl=', '')));
    });
  }

  test('--ttl 2592000 (30 days, the longest) is accepted', async () => {
    const payload = decodeJwt(await issued(['--ttl', '2592000']));
    assert.equal(payload.exp! - payload.iat!, 2592000);
  });

  const refusedOptions: [string, string[], string][] = [
    ['a mistyped permission', ['--permissions', 'assets:asset:view,assets:asset:viwe'], '--permissions: unknown assets:asset:viwe; choose from assets:asset:view, assets:asset:upload, assets:asset:delete (comma-separated)'],
    ['an empty --sub', ['--sub='], '--sub must name the owner, e.g. --sub alice'],
    ['an empty --permissions', ['--permissions='], '--permissions must name at least one of assets:asset:view, assets:asset:upload, assets:asset:delete (comma-separated)'],
    ['an option the command does not have', ['--subject', 'alice'], 'unknown option --subject'],
  ];
  for (const [what, args, problem] of refusedOptions) {
    test(`${what} exits 2 saying what to fix, and prints no token`, async () => {
      assertRefused(await token(args), problem);
    });
  }

  test('a token from another directory (another dev signing key) is not accepted, and `token` warns there that it made a new key', async () => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'token-elsewhere-'));
    try {
      const result = await token([], elsewhere);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'stdout is still the token alone');
      assert.match(result.stderr, /^token: there was no dev signing key here, so a new one was made in \S+\/dev-keys\. If a dev service already runs from another directory, it will not accept this token: run `npm run --silent token` where `npm run dev` runs\.\n$/);
      errorOf(await gql(CREATE, { input: INPUT }, result.stdout.trim()), 'UNAUTHENTICATED');
      assert.equal((await token([], elsewhere)).stderr, '', 'the second token there uses the key the first one made');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('`neotool-assets dev` welcome', () => {
  test('says to get a token with `npm run --silent token`, whose output is the token alone (plain `npm run` adds its header)', () => {
    assert.match(dev.output(), /^ {2}Get a token \(upload\/view\/delete\): +npm run --silent token$/m);
  });
});

describe('`neotool-assets dev` with tuning settings in its environment', () => {
  test('refuses an upload over STORAGE_MAX_UPLOAD_BYTES, which is below the namespace limit', async () => {
    const error = errorOf(await gql(CREATE, { input: logo(2000) }, await issued()), 'VALIDATION_ERROR');
    assert.match(error.message, /^File is 2000 bytes; this service accepts at most 1500 bytes per upload \(STORAGE_MAX_UPLOAD_BYTES\), whatever the namespace allows\.$/);
  });

  test('signs upload URLs for STORAGE_UPLOAD_TTL_SECONDS in a namespace without a TTL of its own', async () => {
    const { data } = await gql(CREATE, { input: logo(1024) }, await issued());
    assert.equal(signedLifetimeSeconds(data.createAssetUpload.uploadUrl), 120);
  });
});
