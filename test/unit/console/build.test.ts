// console/dist is committed (the service, the Docker image and `npm run dev` serve it without a
// build step): it must be exactly what `npm run build:console` makes of console/src today.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const CONSOLE = fileURLToPath(new URL('../../../console/', import.meta.url));

async function files(dir: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
  return new Map(await Promise.all(names.sort().map(async (name) => [name, await readFile(path.join(dir, name))] as const)));
}

test('the committed console/dist is the build of the current console sources (else: npm run build:console and commit it)', async () => {
  const fresh = await mkdtemp(path.join(tmpdir(), 'console-build-'));
  try {
    await build({ configFile: path.join(CONSOLE, 'vite.config.ts'), logLevel: 'silent', build: { outDir: fresh, emptyOutDir: true } });
    const [built, committed] = await Promise.all([files(fresh), files(path.join(CONSOLE, 'dist'))]);
    assert.deepEqual([...committed.keys()], [...built.keys()], 'console/dist holds other files than a fresh build');
    for (const [name, bytes] of built) assert.ok(bytes.equals(committed.get(name)!), `console/dist/${name} differs from a fresh build`);
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
});
