import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../src/config/config.js';
import { describeStartupError } from '../../../src/cli/startup-errors.js';
import { RedisStartupError } from '../../../src/limits/redis-connection.js';
import { BucketValidationError } from '../../../src/storage/bucket-validation.js';
import { loadsPackage, runAndListModules } from '../../support/resolved-modules.js';

test('the startup errors of configuration, buckets and Redis are printed as they are phrased', () => {
  const errors = [
    new ConfigError(['JWT_JWKS_URL is required']),
    new BucketValidationError('NoSuchBucket', 'The bucket "assets" does not exist. Create it or fix STORAGE_PUBLIC_BUCKET.'),
    new RedisStartupError('Redis at localhost:6379 refused the connection. Check REDIS_URL.'),
  ];
  for (const error of errors) assert.equal(describeStartupError(error), error.message);
});

test('a command called with an option it does not have is refused without loading ioredis or the AWS SDK', () => {
  const run = runAndListModules(['src/cli/main.ts', 'token', '--no-such-option']);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /neotool-assets token: unknown option --no-such-option;/);
  assert.ok(run.resolved.some((url) => url.endsWith('/startup-errors.ts')), 'the resolve log works');
  assert.equal(loadsPackage(run.resolved, 'ioredis'), false);
  assert.equal(loadsPackage(run.resolved, '@aws-sdk/client-s3'), false);
});
