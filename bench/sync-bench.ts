// Benchmark of `neotool-assets storage sync` against Debian's rclone 1.60 on the same data: 2,000 ~1 KB
// objects and 20 x 5.5 MB ones (test/integration/cli/sync-dataset.ts), copied between buckets of two
// gateway users of the test Ceph, each tool with the same concurrency. Measures a full copy into an
// empty bucket and a rerun with nothing to do (the resume path). Not a test: it asserts nothing.
// Our CLI runs compiled, as the Docker image and the npm package ship it: through tsx (a git
// clone's bin) every start would add ~1.5 s of TypeScript compilation, which rclone does not pay.
//   npm run bench:sync        (uses TEST_* from the environment, else .data/test-infra.env)
//   BENCH_SYNC_CONCURRENCY=8  BENCH_SYNC_SMALL=2000  BENCH_SYNC_LARGE=20  BENCH_SYNC_ROUNDS=3 (medians reported)
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { loadStorageSettings, required } from '../src/operations/settings.js';
import { createS3Client } from '../src/storage/s3-client.js';
import { deleteBuckets, requireEnv, uniqueName } from '../test/support/infra.js';
import { fillBucket, SYNC_DATASET } from '../test/integration/cli/sync-dataset.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILT = `${ROOT}.data/bench-sync-dist`;
const concurrency = Number(process.env.BENCH_SYNC_CONCURRENCY ?? 8);
const rounds = Number(process.env.BENCH_SYNC_ROUNDS ?? 3);
const NEOTOOL = 'neotool-assets storage sync';
const RCLONE = 'rclone 1.60 sync --checksum';
const dataset = { ...SYNC_DATASET, smallObjects: Number(process.env.BENCH_SYNC_SMALL ?? SYNC_DATASET.smallObjects), largeObjects: Number(process.env.BENCH_SYNC_LARGE ?? SYNC_DATASET.largeObjects) };
const endpoint = new URL(requireEnv('TEST_S3_ENDPOINT'));

function users(): Record<string, string> {
  const store = (prefix: string, suffix: string) => ({
    [`${prefix}STORAGE_HOSTNAME`]: endpoint.hostname,
    [`${prefix}STORAGE_PORT`]: endpoint.port,
    [`${prefix}STORAGE_USE_HTTPS`]: 'false',
    [`${prefix}STORAGE_FORCE_PATH_STYLE`]: 'true',
    [`${prefix}STORAGE_REGION`]: process.env.TEST_S3_REGION ?? 'us-east-1',
    [`${prefix}STORAGE_ACCESS_KEY`]: requireEnv(`TEST_S3_ACCESS_KEY${suffix}`),
    [`${prefix}STORAGE_SECRET`]: requireEnv(`TEST_S3_SECRET_KEY${suffix}`),
    [`${prefix}STORAGE_TIMEOUT_MS`]: '30000',
  });
  return { ...store('SRC_', ''), ...store('DST_', '_2') };
}

/** rclone's remotes configured on the fly through RCLONE_CONFIG_<NAME>_*; AWS_CA_BUNDLE would make it fail on plain HTTP. */
function rcloneEnv(): NodeJS.ProcessEnv {
  const remote = (name: string, suffix: string) => ({
    [`RCLONE_CONFIG_${name}_TYPE`]: 's3',
    [`RCLONE_CONFIG_${name}_PROVIDER`]: 'Ceph',
    [`RCLONE_CONFIG_${name}_ENDPOINT`]: endpoint.origin,
    [`RCLONE_CONFIG_${name}_ACCESS_KEY_ID`]: requireEnv(`TEST_S3_ACCESS_KEY${suffix}`),
    [`RCLONE_CONFIG_${name}_SECRET_ACCESS_KEY`]: requireEnv(`TEST_S3_SECRET_KEY${suffix}`),
  });
  const { AWS_CA_BUNDLE: _unset, ...env } = process.env;
  return { ...env, ...remote('SRC', ''), ...remote('DST', '_2') };
}

interface Run {
  tool: string;
  run: string;
  seconds: number;
  detail: string;
}

async function timed(tool: string, run: string, command: string, args: string[], env: NodeJS.ProcessEnv, detail: (stdout: string) => string): Promise<Run> {
  const started = performance.now();
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(command, args, { env, maxBuffer: 256 * 1024 * 1024 }, (error, out, err) => (error ? reject(new Error(`${tool} failed: ${err || error.message}`)) : resolve(out))),
  );
  return { tool, run, seconds: (performance.now() - started) / 1000, detail: detail(stdout) };
}

/** src/ compiled by tsc as `npm run build` does, into a folder of the bench's own (others may be using dist/). */
async function build(): Promise<string> {
  await new Promise<void>((resolve, reject) =>
    execFile(`${ROOT}node_modules/.bin/tsc`, ['-p', `${ROOT}tsconfig.build.json`, '--outDir', BUILT], (error, out) => (error ? reject(new Error(`tsc failed: ${out}`)) : resolve())),
  );
  return `${BUILT}/cli/main.js`;
}

function neotoolSummary(stdout: string): string {
  const summary = stdout.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.event === 'summary');
  return `copied ${summary.copied}, skipped ${summary.skipped}, failed ${summary.failed.length}`;
}

async function main(): Promise<void> {
  const source = client('SRC_');
  const destination = client('DST_');
  const sourceBucket = uniqueName('bench-src');
  const runs: Run[] = [];
  try {
    await source.send(new CreateBucketCommand({ Bucket: sourceBucket }));
    const fillStart = performance.now();
    await fillBucket(source, sourceBucket, dataset);
    console.log(`dataset: ${dataset.smallObjects} x ${dataset.smallBytes} B + ${dataset.largeObjects} x ${dataset.largeBytes} B, written in ${((performance.now() - fillStart) / 1000).toFixed(1)} s; concurrency ${concurrency}, ${rounds} rounds`);
    const cli = await build();
    for (let round = 1; round <= rounds; round += 1) runs.push(...(await benchRound(destination, sourceBucket, cli)));
    console.table(runs.map((r) => ({ tool: r.tool, run: r.run, seconds: Number(r.seconds.toFixed(2)), 'objects/s': Math.round((dataset.smallObjects + dataset.largeObjects) / r.seconds), detail: r.detail })));
    console.table(medians(runs));
  } finally {
    await deleteBuckets(source, sourceBucket);
    source.destroy();
    destination.destroy();
  }
}

/** Both tools into fresh buckets, interleaved so that both see the same load on the machine: full copies, then reruns. */
async function benchRound(destination: S3Client, sourceBucket: string, cli: string): Promise<Run[]> {
  const targets = { neotool: uniqueName('bench-neo'), rclone: uniqueName('bench-rclone') };
  const env = { ...process.env, ...users() };
  const neotool = [cli, 'storage', 'sync', sourceBucket, targets.neotool, '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_', '--concurrency', String(concurrency)];
  const rclone = ['sync', `src:${sourceBucket}`, `dst:${targets.rclone}`, '--transfers', String(concurrency), '--checkers', String(2 * concurrency), '--checksum', '--stats-one-line', '-q'];
  const runs: Run[] = [];
  try {
    for (const bucket of Object.values(targets)) await destination.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const run of ['full copy', 'rerun, nothing to do']) {
      runs.push(await timed(NEOTOOL, run, process.execPath, neotool, env, neotoolSummary));
      runs.push(await timed(RCLONE, run, 'rclone', rclone, rcloneEnv(), () => ''));
    }
    return runs;
  } finally {
    for (const bucket of Object.values(targets)) await deleteBuckets(destination, bucket);
  }
}

function medians(runs: Run[]): { tool: string; run: string; 'median seconds': number; 'each run': string }[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) groups.set(`${r.tool}: ${r.run}`, [...(groups.get(`${r.tool}: ${r.run}`) ?? []), r]);
  return [...groups.values()].map((group) => {
    const seconds = group.map((r) => r.seconds).sort((a, b) => a - b);
    const middle = seconds.length / 2;
    const median = seconds.length % 2 ? seconds[Math.floor(middle)]! : (seconds[middle - 1]! + seconds[middle]!) / 2;
    return { tool: group[0]!.tool, run: group[0]!.run, 'median seconds': Number(median.toFixed(2)), 'each run': seconds.map((x) => x.toFixed(2)).join(', ') };
  });
}

function client(prefix: string): S3Client {
  return createS3Client(required(loadStorageSettings(users(), prefix)).storage);
}

await main();
