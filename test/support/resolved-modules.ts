import { spawnSync } from 'node:child_process';

/** Registered before tsx: prints every module the process resolves to stderr, one `resolved <url>` line each. */
const RESOLVE_LOGGER = `data:text/javascript,${encodeURIComponent(`
  import { register } from 'node:module';
  register('data:text/javascript,' + encodeURIComponent(
    'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("resolved " + r.url + "\\\\n"); return r; }'));
`)}`;

/**
 * Runs node (with tsx) on `args` in a child process and tells what it loaded: for the checks that a
 * path through the code does not pay for a heavy dependency it does not use.
 */
export function runAndListModules(args: string[]): { status: number | null; stderr: string; resolved: string[] } {
  const run = spawnSync(process.execPath, ['--import', RESOLVE_LOGGER, '--import', 'tsx', ...args], { encoding: 'utf8' });
  const resolved = run.stderr.split('\n').filter((line) => line.startsWith('resolved ')).map((line) => line.slice('resolved '.length));
  return { status: run.status, stderr: run.stderr, resolved };
}

/** Whether any of the modules is from the package, e.g. `ioredis` or `@aws-sdk/client-s3`. */
export const loadsPackage = (resolved: string[], name: string): boolean => resolved.some((url) => url.includes(`/node_modules/${name}/`));
