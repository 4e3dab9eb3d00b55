// Per-owner rate limits on createAssetUpload, counted in PostgreSQL so that every replica sees the
// same counts: the burst per minute, uploads per hour and declared bytes per hour.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createUpload, errorOf } from '../../support/flows.js';
import { CREATE, uploadInput } from '../../support/operations.js';
import { startTestService, type TestService } from '../../support/test-service.js';

const OFF = '0';

async function ownerRows(svc: TestService, ownerId: string): Promise<number> {
  const { rows } = await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM assets WHERE owner_id = $1', [ownerId]);
  return rows[0]!.n;
}

async function rejectionsOf(svc: TestService, limit: string): Promise<number> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`assets_rate_limit_rejections_total{limit="${limit}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('burst per minute, on two replicas sharing one database', () => {
  const BURST = 5;
  let svc: TestService;
  let replica: TestService;
  const env = { RATE_LIMIT_BURST_PER_MINUTE: String(BURST), RATE_LIMIT_UPLOADS_PER_HOUR: '1000', RATE_LIMIT_BYTES_PER_HOUR: OFF, STORAGE_QUOTA_BYTES_PER_OWNER: OFF };
  before(async () => {
    svc = await startTestService(env);
    replica = await startTestService(env, { shareWith: svc });
  });
  after(async () => {
    await replica?.stop();
    await svc?.stop();
  });

  test('the upload past the burst is RATE_LIMIT_EXCEEDED naming the limit, with whole retryAfterSeconds, and stores nothing', async () => {
    const token = await svc.token('burster');
    for (let i = 0; i < BURST; i++) await createUpload(svc, token, uploadInput());
    const error = errorOf(await svc.gql(CREATE, { input: uploadInput() }, token), 'RATE_LIMIT_EXCEEDED');
    assert.equal(error.extensions.limit, 'burstPerMinute');
    assert.equal(error.extensions.limitValue, BURST);
    const retry = error.extensions.retryAfterSeconds as number;
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `retryAfterSeconds ${retry}`);
    assert.match(error.message, /at most 5 uploads per minute.*Retry in \d+ s/);
    assert.equal(await ownerRows(svc, 'burster'), BURST);
  });

  test('uploads split between two replicas count together', async () => {
    const token = await svc.token('split');
    for (let i = 0; i < BURST; i++) await createUpload(i % 2 ? replica : svc, token, uploadInput());
    errorOf(await replica.gql(CREATE, { input: uploadInput() }, token), 'RATE_LIMIT_EXCEEDED');
    errorOf(await svc.gql(CREATE, { input: uploadInput() }, token), 'RATE_LIMIT_EXCEEDED');
    assert.equal(await ownerRows(svc, 'split'), BURST);
  });

  test('concurrent uploads on both replicas admit exactly the burst', async () => {
    const token = await svc.token('stampede');
    const answers = await Promise.all(Array.from({ length: 4 * BURST }, (_, i) => (i % 2 ? replica : svc).gql(CREATE, { input: uploadInput() }, token)));
    const refused = answers.filter((a) => a.errors?.[0]?.extensions.code === 'RATE_LIMIT_EXCEEDED');
    assert.equal(answers.length - refused.length, BURST, JSON.stringify(answers.filter((a) => a.errors && !refused.includes(a))));
    assert.equal(await ownerRows(svc, 'stampede'), BURST);
  });

  test('repeating an idempotent request does not count, and is answered even over the limit', async () => {
    const token = await svc.token('retrier');
    const input = uploadInput({ idempotencyKey: `key-${randomUUID()}` });
    const first = await createUpload(svc, token, input);
    for (let i = 0; i < 2 * BURST; i++) assert.equal((await createUpload(i % 2 ? replica : svc, token, input)).id, first.id);
    for (let i = 1; i < BURST; i++) await createUpload(svc, token, uploadInput());
    errorOf(await svc.gql(CREATE, { input: uploadInput() }, token), 'RATE_LIMIT_EXCEEDED');
    assert.equal((await createUpload(svc, token, input)).id, first.id, 'a repeat is answered even when the owner is over the limit');
  });

  test('an owner over the limit leaves other owners unaffected, on both replicas', async () => {
    const greedy = await svc.token('greedy');
    for (let i = 0; i < BURST; i++) await createUpload(svc, greedy, uploadInput());
    errorOf(await svc.gql(CREATE, { input: uploadInput() }, greedy), 'RATE_LIMIT_EXCEEDED');
    const bystander = await svc.token('bystander');
    await createUpload(svc, bystander, uploadInput());
    await createUpload(replica, bystander, uploadInput());
    assert.equal(await ownerRows(svc, 'bystander'), 2);
  });

  test('refusals are counted in the metrics by limit', async () => {
    const before = await rejectionsOf(svc, 'burstPerMinute');
    const token = await svc.token('metered');
    for (let i = 0; i < BURST; i++) await createUpload(svc, token, uploadInput());
    for (let i = 0; i < 3; i++) errorOf(await svc.gql(CREATE, { input: uploadInput() }, token), 'RATE_LIMIT_EXCEEDED');
    assert.equal(await rejectionsOf(svc, 'burstPerMinute'), before + 3);
  });
});

describe('uploads and declared bytes per hour', () => {
  const PER_HOUR = 4;
  const BYTES = 100;
  let svc: TestService;
  before(async () => {
    svc = await startTestService({
      RATE_LIMIT_BURST_PER_MINUTE: OFF,
      RATE_LIMIT_UPLOADS_PER_HOUR: String(PER_HOUR),
      RATE_LIMIT_BYTES_PER_HOUR: String(BYTES),
      STORAGE_QUOTA_BYTES_PER_OWNER: OFF,
    });
  });
  after(() => svc?.stop());

  test('the upload past the hourly limit is refused for the rest of the hour', async () => {
    const token = await svc.token('hourly');
    for (let i = 0; i < PER_HOUR; i++) await createUpload(svc, token, uploadInput({ sizeBytes: 1 }));
    const error = errorOf(await svc.gql(CREATE, { input: uploadInput({ sizeBytes: 1 }) }, token), 'RATE_LIMIT_EXCEEDED');
    assert.equal(error.extensions.limit, 'uploadsPerHour');
    const retry = error.extensions.retryAfterSeconds as number;
    assert.ok(Number.isInteger(retry) && retry > 60 && retry <= 3600, `retryAfterSeconds ${retry}`);
  });

  test('declared bytes past the hourly allowance are refused, and the refused size does not count', async () => {
    const token = await svc.token('bulky');
    await createUpload(svc, token, uploadInput({ sizeBytes: 40 }));
    await createUpload(svc, token, uploadInput({ sizeBytes: 40 }));
    const error = errorOf(await svc.gql(CREATE, { input: uploadInput({ sizeBytes: 40 }) }, token), 'RATE_LIMIT_EXCEEDED');
    assert.equal(error.extensions.limit, 'bytesPerHour');
    assert.equal(error.extensions.limitValue, BYTES);
    assert.ok((error.extensions.retryAfterSeconds as number) > 60);
    assert.match(error.message, /at most 100 bytes of uploads per hour, and this one \(40 bytes\) does not fit/);
    await createUpload(svc, token, uploadInput({ sizeBytes: 20 }));
    errorOf(await svc.gql(CREATE, { input: uploadInput({ sizeBytes: 1 }) }, token), 'RATE_LIMIT_EXCEEDED');
  });
});
