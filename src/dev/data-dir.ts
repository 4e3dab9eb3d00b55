import path from 'node:path';

/** Dev mode keeps everything it creates under .data/ of the working directory, which git ignores. */
export function defaultDataDir(): string {
  return path.resolve('.data');
}
