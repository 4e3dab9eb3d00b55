import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { describeStartupError } from '../../src/cli/startup-errors.js';
import { redisStartupProblem } from '../../src/limits/redis-connection.js';
import { commands } from '../../src/cli/commands.js';
import { loadConfig } from '../../src/config/config.js';
import { loadNamespaces } from '../../src/config/namespaces-file.js';
import { refuseExampleValues } from '../../src/operations/doctor/deployment-values.js';
import { runDoctor } from '../../src/operations/doctor/doctor.js';
import { uploadCorsRules } from '../../src/operations/storage-init/bucket-cors.js';
import { explain } from '../../src/storage/bucket-validation.js';
import { codeBlocks, section } from '../support/markdown.js';

const runbook = readFileSync('docs/runbook.md', 'utf8');

const R2_ENV = {
  STORAGE_HOSTNAME: '0123456789abcdef.r2.cloudflarestorage.com',
  STORAGE_PORT: '443',
  STORAGE_USE_HTTPS: 'true',
  STORAGE_REGION: 'auto',
  STORAGE_FORCE_PATH_STYLE: 'false',
  STORAGE_ACCESS_KEY: 'access-key-id',
  STORAGE_SECRET: 'secret-access-key',
  STORAGE_PUBLIC_BASE_PATH: 'https://assets.yourdomain.com',
  JWT_JWKS_URL: 'https://security.yourdomain.com/.well-known/jwks.json',
  POSTGRES_HOST: 'postgres.production.svc',
  POSTGRES_PASSWORD: 'pg-password',
};

/** A `## ` section of the runbook, by the start of its title. */
const runbookSection = (title: string) => section(runbook, title);

/** A message line without the CLI prefix and the list dash of configuration problems. */
function normalise(line: string): string {
  return line.replace(/^neotool-assets: /, '').replace(/^\s*-\s+/, '').trim();
}

/** A quoted message whose <placeholders> stand for any text. */
function quoteMatches(quote: string, actual: string): boolean {
  const pattern = quote.split(/<[^>]+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+');
  return new RegExp(`^${pattern}$`).test(actual);
}

function startupMessage(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    return describeStartupError(error).split('\n').map(normalise);
  }
  return assert.fail('expected the start to fail');
}

/** What the service prints for each misconfiguration the runbook covers, produced by the service's own code. */
async function startupMessages(): Promise<Record<string, string[]>> {
  const storage = loadConfig(R2_ENV).storage;
  const bucket = (error: object) => [explain(error, storage, storage.publicBucket, 'STORAGE_PUBLIC_BUCKET').message];
  const config = (changes: Record<string, string | undefined>) => startupMessage(() => loadConfig({ ...R2_ENV, ...changes }));
  const database = (error: object) => [describeStartupError(error)];
  const namespaces = await loadNamespaces('/nonexistent/namespaces.yaml').then(
    () => assert.fail('expected a missing namespaces file to fail'),
    (error: unknown) => [describeStartupError(error)],
  );
  return {
    NoSuchBucket: bucket({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }),
    'not an S3 endpoint': bucket({ name: 'NotFound', message: 'UnknownError', $metadata: { httpStatusCode: 404 }, $response: { headers: { 'content-type': 'text/html; charset=utf-8' } } }),
    AccessDenied: bucket({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    InvalidAccessKeyId: bucket({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } }),
    SignatureDoesNotMatch: bucket({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } }),
    'connection timeout': bucket({ name: 'TimeoutError', message: 'the request socket did not establish a connection with the server within the configured timeout of 5000 ms.' }),
    'DNS failure': bucket({ name: 'Error', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND nowhere.r2.cloudflarestorage.com' }),
    'TLS handshake failed': bucket({ name: 'Error', code: 'EPROTO', message: 'write EPROTO 40E8B6F1:error:0A00010B:SSL routines:ssl3_get_record:wrong version number' }),
    'scheme in STORAGE_HOSTNAME': config({ STORAGE_HOSTNAME: 'https://0123456789abcdef.r2.cloudflarestorage.com' }),
    'path in STORAGE_HOSTNAME': config({ STORAGE_HOSTNAME: '0123456789abcdef.r2.cloudflarestorage.com/assets' }),
    'port not a number': config({ STORAGE_PORT: '443/tcp' }),
    'MinIO settings against R2': config({ STORAGE_USE_HTTPS: 'false', STORAGE_PORT: '9000', STORAGE_REGION: 'us-east-1', STORAGE_FORCE_PATH_STYLE: 'true' }),
    'missing secrets': config({ STORAGE_SECRET: undefined, STORAGE_ACCESS_KEY: undefined, JWT_JWKS_URL: undefined }),
    'no database': config({ POSTGRES_HOST: undefined }),
    'PostgreSQL refuses the connection': database({ code: 'ECONNREFUSED', address: '10.0.0.5', port: 5432 }),
    'PostgreSQL refuses the credentials': database({ code: '28P01', message: 'password authentication failed for user "neotool_assets"' }),
    'database missing': database({ code: '3D000', message: 'database "neotool_assets" does not exist' }),
    'namespaces file missing': namespaces,
    'example values left in': startupMessage(() => refuseExampleValues({ ...R2_ENV, JWT_ISSUER: 'https://security.yourdomain.com' })),
    'Redis unreachable': [redisStartupProblem('redis.internal:6379', new Error('connect ECONNREFUSED 10.0.0.7:6379'))],
    'Redis refuses the credentials': [redisStartupProblem('redis.internal:6379', new Error('WRONGPASS invalid username-password pair or user is disabled.'))],
  };
}

describe('docs/runbook.md', () => {
  const quotes = codeBlocks(runbookSection('4. Troubleshooting'), 'text')
    .flatMap((block) => block.split('\n'))
    .map(normalise)
    .filter(Boolean);

  test('quotes only error messages the service really prints', async () => {
    const printed = Object.values(await startupMessages()).flat();
    const invented = quotes.filter((quote) => !printed.some((line) => quoteMatches(quote, line)));
    assert.deepEqual(invented, []);
  });

  test('has a troubleshooting entry for every startup failure the service explains', async () => {
    const uncovered = Object.entries(await startupMessages())
      .filter(([, lines]) => lines.some((line) => !quotes.some((quote) => quoteMatches(quote, line))))
      .map(([cause]) => cause);
    assert.deepEqual(uncovered, []);
  });

  test('lists every check `doctor` runs', async () => {
    const env = { ...R2_ENV, STORAGE_HOSTNAME: '127.0.0.1', STORAGE_PORT: '1', STORAGE_USE_HTTPS: 'false', STORAGE_REGION: 'us-east-1', POSTGRES_HOST: '127.0.0.1', POSTGRES_PORT: '1', JWT_JWKS_URL: 'http://127.0.0.1:1/jwks.json', STORAGE_TIMEOUT_MS: '1000' };
    const storage = loadConfig(env).storage;
    const names = (await runDoctor(env)).map((r) => r.name.replace(storage.publicBucket, '<bucket>').replace(storage.privateBucket, '<bucket>'));
    const checklist = runbookSection('3. Validation checklist');
    assert.deepEqual([...new Set(names)].filter((name) => !checklist.includes(`\`${name}\``)), []);
  });

  test('documents every option of `storage sync`, and no other', () => {
    const table = runbookSection('5. Moving objects from MinIO to R2').split('\n').filter((line) => line.startsWith('| `--'));
    const documented = table.flatMap((row) => [...(row.split(' | ')[0] ?? '').matchAll(/`--([a-z-]+)/g)].map((m) => m[1]));
    assert.deepEqual(documented.sort(), Object.keys(commands['storage sync']!.options ?? {}).sort());
  });

  test('puts into Vault exactly the properties the ExternalSecret reads', () => {
    const externalSecret = parse(readFileSync('deploy/kubernetes/base/external-secret.yaml', 'utf8'));
    const read = externalSecret.spec.data.map((d: { remoteRef: { property: string } }) => d.remoteRef.property).sort();
    const vault = codeBlocks(runbook, 'sh').find((block) => block.includes('vault kv put secret/assets'));
    assert.ok(vault, 'no `vault kv put secret/assets` command');
    assert.deepEqual([...vault.matchAll(/^\s*([a-z-]+)=/gm)].map((m) => m[1]).sort(), read);
  });

  test('creates postgres-credentials with the keys the Deployment reads', () => {
    const deployment = parse(readFileSync('deploy/kubernetes/base/deployment.yaml', 'utf8'));
    const keys = deployment.spec.template.spec.containers[0].env
      .filter((e: any) => e.valueFrom?.secretKeyRef?.name === 'postgres-credentials')
      .map((e: any) => e.valueFrom.secretKeyRef.key)
      .sort();
    const command = codeBlocks(runbook, 'sh').find((block) => block.includes('create secret generic postgres-credentials'));
    assert.ok(command, 'no command creating postgres-credentials');
    assert.deepEqual([...command.matchAll(/--from-literal=(\w+)=/g)].map((m) => m[1]).sort(), keys);
  });

  test('gives the R2 dashboard the CORS rule `storage init` applies, for the production origins', () => {
    const overlay = readFileSync('deploy/kubernetes/overlays/production/kustomization.yaml', 'utf8');
    const origins = /ASSET_CORS_ALLOWED_ORIGINS=(\S+)/.exec(overlay)?.[1]?.split(',');
    assert.ok(origins, 'the production overlay sets no ASSET_CORS_ALLOWED_ORIGINS');
    const [policy] = codeBlocks(runbookSection('2. Production on Cloudflare R2'), 'json');
    assert.deepEqual(JSON.parse(policy ?? 'null'), uploadCorsRules(origins));
  });
});
