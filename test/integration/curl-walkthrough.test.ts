import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { fixture, sha256Hex } from '../support/fixtures.js';
import { codeBlocks, section } from '../support/markdown.js';
import { GET } from '../support/operations.js';
import { startServiceFor, type TestService } from '../support/test-service.js';

const run = promisify(execFile);
const PNG = fixture('image.png');
const SHA = sha256Hex(PNG);

/** The bash block of the README's "Upload walkthrough with curl" section, as a reader copies it. */
async function readmeWalkthrough(): Promise<string> {
  const readme = await readFile('README.md', 'utf8');
  const [block] = codeBlocks(section(readme, 'Upload walkthrough with curl'), 'bash');
  assert.ok(block, 'README.md has no bash block under "Upload walkthrough with curl"');
  return block;
}

const SCRIPT = 'scripts/curl-walkthrough.sh';
const SHARED_FROM = '# --- README.md from here on';

/** The script's lines after its SHARED_FROM line: steps 1 to 4 of the README's walkthrough, and its preamble before them. */
async function scriptParts(): Promise<{ preamble: string; steps: string }> {
  const lines = (await readFile(SCRIPT, 'utf8')).split('\n');
  const at = lines.findIndex((line) => line.startsWith(SHARED_FROM));
  assert.ok(at >= 0, `${SCRIPT} has no line starting ${JSON.stringify(SHARED_FROM)}`);
  return { preamble: lines.slice(0, at).join('\n'), steps: lines.slice(at + 1).join('\n').trimEnd() };
}

/** The variables the lines of `text` set (NAME=..., also after a `; `), comments aside. */
function assigned(text: string): string[] {
  const code = text.split('\n').filter((line) => !line.startsWith('#')).join('\n');
  return [...code.matchAll(/(?:^|; *)([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!).sort();
}

/** `text` with `line` (which must be there, alone on its line) replaced: the one place a test points the walkthrough elsewhere. */
function replaceLine(text: string, line: string, by: string): string {
  const lines = text.split('\n');
  const at = lines.indexOf(line);
  assert.ok(at >= 0, `the walkthrough no longer has the line ${JSON.stringify(line)}`);
  lines[at] = by;
  return lines.join('\n');
}

describe('scripts/curl-walkthrough.sh and the README', () => {
  test("the script's steps are the README's, line for line, after a preamble setting what the README's first lines set", async () => {
    const block = await readmeWalkthrough();
    const { preamble, steps } = await scriptParts();
    for (const step of ['# 1. ', '# 2. ', '# 3. ', '# 4. ']) assert.ok(steps.includes(`\n${step}`), `the script has step ${step}`);
    const at = block.indexOf(`${steps}\n`);
    assert.ok(at >= 0, `${SCRIPT}, from its line "${SHARED_FROM}" on, is no longer a part of the README's block: make them the same again`);
    assert.deepEqual(assigned(preamble), assigned(block.slice(0, at)), "the script's preamble sets what the README's lines before the steps set");
  });
});

describe('the curl walkthrough (README and scripts/curl-walkthrough.sh) against the real service', () => {
  let svc: TestService;
  let token: string;
  let dir: string;
  before(async () => {
    ({ svc, token } = await startServiceFor('walker'));
    dir = await mkdtemp(join(tmpdir(), 'walkthrough-'));
    await writeFile(join(dir, 'logo.png'), PNG);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await svc.stop();
  });

  test("the README's block, pasted into bash in the clone, uploads, confirms, delivers and deletes the PNG it names", async () => {
    let script = await readmeWalkthrough();
    // Only where the service is and how the token is made differ from `npm run dev`.
    script = replaceLine(script, 'API=http://localhost:8083/graphql', `API=${svc.url}/graphql`);
    script = replaceLine(script, 'TOKEN=$(npm run --silent token)', `TOKEN=${token}`);
    // In the clone, where the README is read: the file it names is there (SHA is that fixture's).
    const { stdout } = await run('bash', ['-eo', 'pipefail', '-c', script], { cwd: process.cwd(), timeout: 60_000 });

    assert.match(stdout, /^PUT 200$/m, stdout);
    assert.match(stdout, /"status": "READY"/, stdout);
    assert.ok(stdout.includes(`declared ${SHA}\n${SHA}  -`), `the delivered bytes hash to the declared SHA-256:\n${stdout}`);
    assert.match(stdout, /"deleteAsset": true/, stdout);
    const id = /"id": "([^"]+)"/.exec(stdout)?.[1];
    assert.ok(id, stdout);
    assert.equal((await svc.gql(GET, { id }, token)).data!.asset, null, 'the asset is deleted');
  });

  test('scripts/curl-walkthrough.sh does steps 1 to 4 for a file', async () => {
    const file = join(dir, 'logo.png');
    const walk = () => run('bash', [resolve(SCRIPT), file, 'group-assets', 'image/png'], { cwd: dir, env: { ...process.env, API: `${svc.url}/graphql`, TOKEN: token }, timeout: 60_000 });
    const ids: string[] = [];
    for (const { stdout } of [await walk(), await walk()]) {
      assert.match(stdout, /^PUT 200$/m, stdout);
      assert.match(stdout, /"status": "READY"/, stdout);
      assert.ok(stdout.includes(`declared ${SHA}\n${SHA}  -`), `the delivered bytes hash to the declared SHA-256:\n${stdout}`);
      ids.push(/"id": "([^"]+)"/.exec(stdout)?.[1] ?? '');
    }
    assert.notEqual(ids[0], ids[1], 'each run declares a new upload (a new idempotency key)');
    for (const id of ids) assert.equal((await svc.gql(GET, { id }, token)).data!.asset?.status, 'READY', 'the script keeps the asset');
  });
});
