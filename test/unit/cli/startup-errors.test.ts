import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ConfigError } from '../../../src/config/config.js';
import { describeStartupError } from '../../../src/cli/startup-errors.js';
import { RedisStartupError } from '../../../src/limits/redis-connection.js';
import { BucketValidationError } from '../../../src/storage/bucket-validation.js';

test('the startup errors of configuration, buckets and Redis are printed as they are phrased', () => {
  const errors = [
    new ConfigError(['JWT_JWKS_URL is required']),
    new BucketValidationError('NoSuchBucket', 'The bucket "assets" does not exist. Create it or fix STORAGE_PUBLIC_BUCKET.'),
    new RedisStartupError('Redis at localhost:6379 refused the connection. Check REDIS_URL.'),
  ];
  for (const error of errors) assert.equal(describeStartupError(error), error.message);
});

/** Registered before tsx: prints every module the process resolves, one per line, to stderr. */
const RESOLVE_LOGGER = `data:text/javascript,${encodeURIComponent(`
  import { register } from 'node:module';
  register('data:text/javascript,' + encodeURIComponent(
    'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("resolved " + r.url + "\\\\n"); return r; }'));
`)}`;

test('a command that fails at startup is reported without loading ioredis or the AWS SDK', () => {
  const run = spawnSync(process.execPath, ['--import', RESOLVE_LOGGER, '--import', 'tsx', 'src/cli/main.ts', 'token', '--no-such-option'], { encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /neotool-assets: Unknown option '--no-such-option'/);
  assert.match(run.stderr, /resolved .*startup-errors\.ts/, 'the resolve log works');
  assert.doesNotMatch(run.stderr, /node_modules\/(ioredis|@aws-sdk)\//);
});
