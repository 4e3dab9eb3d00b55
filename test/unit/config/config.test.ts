import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/config.js';

const SECRET = 'sEcReT-9f8e7d6c5b4a-do-not-leak';
const ACCESS_KEY = 'AKIA-distinctive-access-key';
const DB_PASSWORD = 'pg-pass-ZZ-do-not-leak';

const MINIO_ENV = {
  STORAGE_HOSTNAME: 'localhost',
  STORAGE_PORT: '9000',
  STORAGE_USE_HTTPS: 'false',
  STORAGE_REGION: 'us-east-1',
  STORAGE_FORCE_PATH_STYLE: 'true',
  STORAGE_ACCESS_KEY: 'minioadmin',
  STORAGE_SECRET: 'minioadmin',
  STORAGE_PUBLIC_BASE_PATH: 'http://localhost:9000/neotool-assets-public',
  JWT_JWKS_URL: 'http://localhost:8080/.well-known/jwks.json',
  DATABASE_URL: 'postgres://postgres:postgres@localhost:5432/neotool_assets',
};

const R2_ENV = {
  STORAGE_HOSTNAME: 'abc123.r2.cloudflarestorage.com',
  STORAGE_PORT: '443',
  STORAGE_USE_HTTPS: 'true',
  STORAGE_REGION: 'auto',
  STORAGE_FORCE_PATH_STYLE: 'false',
  STORAGE_ACCESS_KEY: ACCESS_KEY,
  STORAGE_SECRET: SECRET,
  STORAGE_PUBLIC_BASE_PATH: 'https://assets.example.com/',
  JWT_JWKS_URL: 'https://security.example.com/.well-known/jwks.json',
  POSTGRES_HOST: 'db.internal',
  POSTGRES_PASSWORD: DB_PASSWORD,
};

/** The ConfigError loadConfig throws for this environment. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  test('parses a good MinIO environment, with defaults for the rest', () => {
    const config = loadConfig(MINIO_ENV);
    assert.equal(config.port, 8083);
    assert.deepEqual(
      { hostname: config.storage.hostname, port: config.storage.port, useHttps: config.storage.useHttps, forcePathStyle: config.storage.forcePathStyle, region: config.storage.region },
      { hostname: 'localhost', port: 9000, useHttps: false, forcePathStyle: true, region: 'us-east-1' },
    );
    assert.equal(config.storage.publicBucket, 'neotool-assets-public');
    assert.equal(config.storage.privateBucket, 'neotool-assets-private');
    assert.equal(config.storage.uploadTtlSeconds, 900);
    assert.equal(config.storage.downloadTtlSeconds, 3600);
    assert.equal(config.storage.publicBaseUrl, 'http://localhost:9000/neotool-assets-public');
    assert.equal(config.database.connectionString, MINIO_ENV.DATABASE_URL);
    assert.equal(config.jwt.jwksUrl, MINIO_ENV.JWT_JWKS_URL);
    assert.equal(config.assets.idempotencyWindowSeconds, 86_400);
  });

  test('parses a good R2 environment, dropping the trailing slash of the public base path', () => {
    const config = loadConfig(R2_ENV);
    assert.equal(config.storage.useHttps, true);
    assert.equal(config.storage.port, 443);
    assert.equal(config.storage.region, 'auto');
    assert.equal(config.storage.forcePathStyle, false);
    assert.equal(config.storage.secret, SECRET);
    assert.equal(config.storage.publicBaseUrl, 'https://assets.example.com');
  });

  test('lists every missing required variable in one ConfigError', () => {
    const error = configError({});
    for (const name of ['STORAGE_HOSTNAME', 'STORAGE_ACCESS_KEY', 'STORAGE_SECRET', 'JWT_JWKS_URL', 'DATABASE_URL or POSTGRES_HOST']) {
      assert.ok(error.problems.some((p) => p.startsWith(name)), `no problem about ${name} in:\n${error.message}`);
      assert.match(error.message, new RegExp(name));
    }
    assert.equal(error.problems.length, 5);
  });

  test('rejects a STORAGE_HOSTNAME that includes a scheme, saying to give the host only', () => {
    const error = configError({ ...MINIO_ENV, STORAGE_HOSTNAME: 'http://localhost' });
    assert.equal(error.problems.length, 1);
    assert.match(error.problems[0] ?? '', /^STORAGE_HOSTNAME must not include a scheme.*STORAGE_USE_HTTPS/);
  });

  test('rejects a STORAGE_HOSTNAME with a port or path', () => {
    assert.match(configError({ ...MINIO_ENV, STORAGE_HOSTNAME: 'localhost:9000' }).message, /STORAGE_HOSTNAME must be a host name only/);
    assert.match(configError({ ...MINIO_ENV, STORAGE_HOSTNAME: 'localhost/bucket' }).message, /STORAGE_HOSTNAME must be a host name only/);
  });

  test('rejects a port that is not a number, showing the value', () => {
    const error = configError({ ...MINIO_ENV, STORAGE_PORT: 'nine-thousand' });
    assert.match(error.message, /STORAGE_PORT must be a whole number \(got "nine-thousand"\)/);
    assert.match(configError({ ...MINIO_ENV, PORT: '70000' }).message, /PORT must be at most 65535/);
  });

  const r2Mistakes: [string, Record<string, string>, RegExp][] = [
    ['HTTPS off', { STORAGE_USE_HTTPS: 'false' }, /STORAGE_USE_HTTPS must be true for Cloudflare R2/],
    ['port 80', { STORAGE_PORT: '80' }, /STORAGE_PORT must be 443 for Cloudflare R2 \(got 80\)/],
    ['region us-east-1', { STORAGE_REGION: 'us-east-1' }, /STORAGE_REGION must be "auto" for Cloudflare R2/],
    ['path style on', { STORAGE_FORCE_PATH_STYLE: 'true' }, /STORAGE_FORCE_PATH_STYLE must be false for Cloudflare R2/],
  ];
  for (const [what, change, expected] of r2Mistakes) {
    test(`rejects an R2 host with ${what}`, () => {
      const error = configError({ ...R2_ENV, ...change });
      assert.ok(error.problems.some((p) => expected.test(p)), error.message);
    });
  }

  test('reports only HTTPS for an R2 host with HTTPS off and no port set: the port, 80 without HTTPS, follows once HTTPS is on', () => {
    const { STORAGE_PORT: _, ...noPort } = R2_ENV;
    const error = configError({ ...noPort, STORAGE_USE_HTTPS: 'false' });
    assert.deepEqual(error.problems, ['STORAGE_USE_HTTPS must be true for Cloudflare R2 (it only speaks HTTPS).']);
    assert.equal(loadConfig(noPort).storage.port, 443);
  });

  test('still reports a port set to 80 for an R2 host with HTTPS off', () => {
    const error = configError({ ...R2_ENV, STORAGE_USE_HTTPS: 'false', STORAGE_PORT: '80' });
    assert.deepEqual(error.problems, ['STORAGE_USE_HTTPS must be true for Cloudflare R2 (it only speaks HTTPS).', 'STORAGE_PORT must be 443 for Cloudflare R2 (got 80).']);
  });

  test('says that STORAGE_REGION was not set and defaulted when R2 needs "auto", and what to set', () => {
    const { STORAGE_REGION: _, ...noRegion } = R2_ENV;
    assert.deepEqual(configError(noRegion).problems, ['STORAGE_REGION must be "auto" for Cloudflare R2 (not set, so it defaulted to "us-east-1"): set STORAGE_REGION=auto.']);
    assert.deepEqual(configError({ ...R2_ENV, STORAGE_REGION: 'eu-west-1' }).problems, ['STORAGE_REGION must be "auto" for Cloudflare R2 (got "eu-west-1").']);
  });

  test('reports an R2 host with only a host name and keys set, HTTPS off, as HTTPS off and the defaulted region', () => {
    const env = { ...MINIO_ENV, STORAGE_HOSTNAME: 'acc.r2.cloudflarestorage.com', STORAGE_USE_HTTPS: 'false' };
    for (const name of ['STORAGE_PORT', 'STORAGE_REGION', 'STORAGE_FORCE_PATH_STYLE'] as const) delete (env as Record<string, string>)[name];
    assert.deepEqual(configError(env).problems, [
      'STORAGE_USE_HTTPS must be true for Cloudflare R2 (it only speaks HTTPS).',
      'STORAGE_REGION must be "auto" for Cloudflare R2 (not set, so it defaulted to "us-east-1"): set STORAGE_REGION=auto.',
    ]);
  });

  test('reports a DATABASE_URL that is not a URL once, with a PostgreSQL example, not as missing too', () => {
    assert.deepEqual(configError({ ...MINIO_ENV, DATABASE_URL: 'notaurl' }).problems, ['DATABASE_URL must be a PostgreSQL URL (postgres:// or postgresql://) such as postgres://user:password@host:5432/database (got a hidden value)']);
  });

  test('reports an invalid POSTGRES_HOST once, not as missing database settings too', () => {
    const { DATABASE_URL: _, ...env } = MINIO_ENV;
    assert.deepEqual(configError({ ...env, POSTGRES_HOST: 'my db' }).problems, ['POSTGRES_HOST must be a host name or IP address (IPv6 in brackets, e.g. [::1]) (got "my db")']);
  });

  test('rejects a JWT_JWKS_URL that is not an http(s) URL, with a JWKS example', () => {
    for (const value of ['notaurl', 'ftp://security.example.com/jwks.json']) {
      assert.deepEqual(configError({ ...MINIO_ENV, JWT_JWKS_URL: value }).problems, [
        `JWT_JWKS_URL must be a full http(s) URL such as https://security.example.com/.well-known/jwks.json (got ${JSON.stringify(value)})`,
      ]);
    }
  });

  test('rejects a JWT_JWKS_URL with a user or password, quoting it without them or its query', () => {
    for (const value of ['https://issuer:S3CRET@security.example.com/jwks.json', 'https://ghp_S3CRET@security.example.com/jwks.json?key=S3CRET', 'https://u:p@ss@S3CRET@security.example.com/jwks.json']) {
      assert.deepEqual(configError({ ...MINIO_ENV, JWT_JWKS_URL: value }).problems, [
        `JWT_JWKS_URL must not carry a user name or password (user:password@): a JWKS is public, and fetch refuses credentials in a URL (got "https://…@security.example.com/jwks.json${value.includes('?') ? '?…' : ''}")`,
      ]);
    }
  });

  test('accepts a JWT_JWKS_URL with an @ in its path or query, which is no user info', () => {
    const jwksUrl = 'https://security.example.com/keys/@issuer/jwks.json?for=a@b';
    assert.equal(loadConfig({ ...MINIO_ENV, JWT_JWKS_URL: jwksUrl }).jwt.jwksUrl, jwksUrl);
  });

  test('says a required secret set empty must not be empty, without claiming to hide a value', () => {
    assert.deepEqual(configError({ ...MINIO_ENV, STORAGE_SECRET: '' }).problems, ['STORAGE_SECRET must not be empty']);
    assert.deepEqual(configError({ ...MINIO_ENV, STORAGE_ACCESS_KEY: '' }).problems, ['STORAGE_ACCESS_KEY must not be empty']);
  });

  test('says a required setting set empty must not be empty, rather than that its format is wrong', () => {
    assert.deepEqual(configError({ ...MINIO_ENV, STORAGE_HOSTNAME: '' }).problems, ['STORAGE_HOSTNAME must not be empty']);
  });

  test('builds the database URL from POSTGRES_*, escaping the password', () => {
    const { DATABASE_URL: _, ...env } = MINIO_ENV;
    const password = 'p@ss:w/rd#?& x';
    const config = loadConfig({ ...env, POSTGRES_HOST: 'db.internal', POSTGRES_PORT: '6543', POSTGRES_DB: 'assets', POSTGRES_USER: 'svc', POSTGRES_PASSWORD: password });
    const url = new URL(config.database.connectionString);
    assert.equal(url.protocol, 'postgres:');
    assert.equal(url.hostname, 'db.internal');
    assert.equal(url.port, '6543');
    assert.equal(url.pathname, '/assets');
    assert.equal(url.username, 'svc');
    assert.equal(decodeURIComponent(url.password), password);
  });

  test('keeps a "%" in POSTGRES_USER and POSTGRES_PASSWORD literal in the database URL', () => {
    const { DATABASE_URL: _, ...env } = MINIO_ENV;
    const url = new URL(loadConfig({ ...env, POSTGRES_HOST: 'db', POSTGRES_USER: 'u%41', POSTGRES_PASSWORD: 'a%41b%' }).database.connectionString);
    assert.equal(decodeURIComponent(url.username), 'u%41');
    assert.equal(decodeURIComponent(url.password), 'a%41b%');
  });

  test('prefers DATABASE_URL over POSTGRES_*', () => {
    const config = loadConfig({ ...MINIO_ENV, POSTGRES_HOST: 'ignored' });
    assert.equal(config.database.connectionString, MINIO_ENV.DATABASE_URL);
  });

  test('takes a STORAGE_PUBLIC_BASE_PATH that is not a full URL relative to the storage endpoint', () => {
    assert.equal(loadConfig({ ...MINIO_ENV, STORAGE_PUBLIC_BASE_PATH: 'neotool-assets-public' }).storage.publicBaseUrl, 'http://localhost:9000/neotool-assets-public');
    assert.equal(loadConfig({ ...MINIO_ENV, STORAGE_PUBLIC_BASE_PATH: '/cdn/public/' }).storage.publicBaseUrl, 'http://localhost:9000/cdn/public');
    const { STORAGE_PUBLIC_BASE_PATH: _, ...noBase } = MINIO_ENV;
    assert.equal(loadConfig(noBase).storage.publicBaseUrl, 'http://localhost:9000/neotool-assets-public');
  });

  test('refuses a STORAGE_PUBLIC_BASE_PATH with another scheme than http(s), instead of taking it as a path on the endpoint', () => {
    for (const value of ['ftp://assets.example.com', 'assets.example.com:443/public']) {
      assert.throws(() => loadConfig({ ...MINIO_ENV, STORAGE_PUBLIC_BASE_PATH: value }), /STORAGE_PUBLIC_BASE_PATH must be an http\(s\) URL such as https:\/\/assets\.yourdomain\.com, or a path on the storage endpoint/);
    }
  });

  test('keeps an absolute STORAGE_PUBLIC_BASE_PATH as it is', () => {
    assert.equal(loadConfig({ ...MINIO_ENV, STORAGE_PUBLIC_BASE_PATH: 'https://cdn.example.com/assets' }).storage.publicBaseUrl, 'https://cdn.example.com/assets');
  });

  test('never shows secrets in the error text', () => {
    const error = configError({
      ...R2_ENV,
      STORAGE_USE_HTTPS: 'false',
      STORAGE_PORT: 'x',
      DATABASE_URL: `not a url ${DB_PASSWORD}`,
      STORAGE_SECRET: SECRET,
      STORAGE_ACCESS_KEY: ACCESS_KEY,
    });
    assert.ok(error.problems.length >= 3, error.message);
    for (const secret of [SECRET, ACCESS_KEY, DB_PASSWORD]) {
      assert.ok(!error.message.includes(secret), `secret leaked:\n${error.message}`);
      assert.ok(!error.stack?.includes(secret), 'secret leaked in the stack');
    }
    assert.match(error.message, /DATABASE_URL .*hidden value/);
  });
});

describe('REDIS_URL', () => {
  test('is optional: without it the rate limits are counted in PostgreSQL', () => {
    assert.equal(loadConfig(MINIO_ENV).redis, undefined);
  });

  test('takes redis:// and rediss:// (TLS) URLs as they are', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://default:pw@redis.example.com:6380/2']) assert.equal(loadConfig({ ...MINIO_ENV, REDIS_URL: url }).redis?.url, url);
  });

  for (const [what, value] of [['a host without a scheme', 'redis.internal:6379'], ['another scheme', 'http://redis.internal:6379'], ['no URL at all', 'not a url']]) {
    test(`rejects ${what}, saying which URLs it takes, without showing the value (it may hold a password)`, () => {
      const error = configError({ ...MINIO_ENV, REDIS_URL: value });
      assert.deepEqual(error.problems, ['REDIS_URL must be a redis:// or rediss:// (TLS) URL such as redis://:password@redis.internal:6379/0 (got a hidden value)']);
    });
  }
});

describe('REDIS_TIMEOUT_MS', () => {
  test('defaults to 2000 ms, the connect and command timeout of the Redis connection', () => {
    assert.equal(loadConfig({ ...MINIO_ENV, REDIS_URL: 'redis://127.0.0.1:6379' }).redis?.timeoutMs, 2000);
  });

  test('takes a whole number of milliseconds from 50 to 60000', () => {
    for (const value of ['50', '300', '60000']) assert.equal(loadConfig({ ...MINIO_ENV, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_TIMEOUT_MS: value }).redis?.timeoutMs, Number(value));
  });

  for (const [value, problem] of [
    ['49', 'must be at least 50'],
    ['60001', 'must be at most 60000'],
    ['1.5', 'must be a whole number'],
    ['2s', 'must be a whole number'],
    ['-100', 'must be a whole number'],
  ]) {
    test(`rejects ${JSON.stringify(value)} with one problem naming the variable and the value`, () => {
      const error = configError({ ...MINIO_ENV, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_TIMEOUT_MS: value });
      assert.deepEqual(error.problems, [`REDIS_TIMEOUT_MS ${problem} (got ${JSON.stringify(value)})`]);
    });
  }
});

test('rejects a POSTGRES_HOST that is not a host name, instead of silently connecting elsewhere', () => {
  const env = { STORAGE_HOSTNAME: 'localhost', STORAGE_ACCESS_KEY: 'k', STORAGE_SECRET: 's', JWT_JWKS_URL: 'http://localhost/jwks', POSTGRES_HOST: 'my db' };
  assert.throws(() => loadConfig(env), (error: Error) => /POSTGRES_HOST must be a host name or IP address/.test(error.message));
});

test('refuses a DATABASE_URL of another database (mysql://) at configuration, instead of failing later as rejected credentials', () => {
  assert.deepEqual(configError({ ...MINIO_ENV, DATABASE_URL: 'mysql://user:password@db:3306/neotool_assets' }).problems, [
    'DATABASE_URL must be a PostgreSQL URL (postgres:// or postgresql://) such as postgres://user:password@host:5432/database (got a hidden value)',
  ]);
  for (const accepted of ['postgres://user:password@db:5432/neotool_assets', 'postgresql://user:password@db:5432/neotool_assets']) {
    assert.equal(loadConfig({ ...MINIO_ENV, DATABASE_URL: accepted }).database.connectionString, accepted);
  }
});
