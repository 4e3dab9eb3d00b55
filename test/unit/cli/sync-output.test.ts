import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { syncOutput } from '../../../src/cli/sync-output.js';

/** What `storage sync` writes to stdout while `write` runs, on a terminal (tty) or not. */
async function printed(tty: boolean, write: (output: Awaited<ReturnType<typeof syncOutput>>) => void): Promise<string> {
  const output = await syncOutput(tty, 60_000);
  const chunks: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string) => chunks.push(chunk) > 0) as typeof process.stdout.write;
  try {
    write(output);
  } finally {
    process.stdout.write = original;
  }
  return chunks.join('');
}

// A key from a hostile source store: sets the window title, then erases the line it is on.
const KEY = 'x\u001b]0;PWNED\u0007\u001b[2K\rlooks-fine.png';

describe('storage sync output', () => {
  test('on a terminal, control characters in an object key are shown escaped, never sent to the terminal', async () => {
    const text = await printed(true, (output) => output.event({ type: 'would-copy', key: KEY, detail: 'new, 3 bytes' }));
    assert.equal(text, 'would-copy   x\\u001b]0;PWNED\\u0007\\u001b[2K\\u000dlooks-fine.png (new, 3 bytes)\n');
  });

  test('as JSON lines, the key is a JSON string: escaped, and read back exactly', async () => {
    const text = await printed(false, (output) => output.event({ type: 'would-copy', key: KEY, detail: 'new, 3 bytes' }));
    assert.doesNotMatch(text, /\u001b/);
    assert.equal(JSON.parse(text).key, KEY);
  });
});
