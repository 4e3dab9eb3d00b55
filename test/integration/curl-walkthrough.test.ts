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

/** `text` with `line` (which must be there, alone on its line) replaced: the one place a test points the walkthrough elsewhere. */
function replaceLine(text: string, line: string, by: string): string {
  const lines = text.split('\n');
  const at = lines.indexOf(line);
  assert.ok(at >= 0, `the walkthrough no longer has the line ${JSON.stringify(line)}`);
  lines[at] = by;
  return lines.join('\n');
}

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

  test("the README's block, pasted into bash, uploads, confirms, delivers and deletes logo.png", async () => {
    let script = await readmeWalkthrough();
    // Only where the service is and how the token is made differ from `npm run dev`.
    script = replaceLine(script, 'API=http://localhost:8083/graphql', `API=${svc.url}/graphql`);
    script = replaceLine(script, 'TOKEN=$(npm run --silent token)', `TOKEN=${token}`);
    const { stdout } = await run('bash', ['-eo', 'pipefail', '-c', script], { cwd: dir, timeout: 60_000 });

    assert.match(stdout, /^PUT 200$/m, stdout);
    assert.match(stdout, /"status": "READY"/, stdout);
    assert.ok(stdout.includes(`${SHA}  -`), `the delivered bytes are the uploaded ones:\n${stdout}`);
    assert.match(stdout, /"deleteAsset": true/, stdout);
    const id = /"id": "([^"]+)"/.exec(stdout)?.[1];
    assert.ok(id, stdout);
    assert.equal((await svc.gql(GET, { id }, token)).data!.asset, null, 'the asset is deleted');
  });

  test('scripts/curl-walkthrough.sh does steps 1 to 4 for a file', async () => {
    const { stdout } = await run('bash', [resolve('scripts/curl-walkthrough.sh'), join(dir, 'logo.png'), 'group-assets', 'image/png'], {
      cwd: dir,
      env: { ...process.env, API: `${svc.url}/graphql`, TOKEN: token },
      timeout: 60_000,
    });
    assert.match(stdout, /^PUT 200$/m, stdout);
    assert.match(stdout, /"status":"READY"/, stdout);
    assert.ok(stdout.includes(`sha256 served: ${SHA} (declared ${SHA})`), stdout);
  });
});
