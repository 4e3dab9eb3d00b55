// Per-owner rate limits on createAssetUpload, counted in a store every replica shares (PostgreSQL, or
// Redis when REDIS_URL is set; each suite runs against both): the burst per minute, uploads per hour
// and declared bytes per hour. Owner ids are unique per run, since Redis keeps its counters between runs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { countAssets, createUpload, errorOf } from '../../support/flows.js';
import { uniqueName } from '../../support/infra.js';
import { LIMIT_BACKENDS } from '../../support/limit-backends.js';
import { CREATE, uploadInput } from '../../support/operations.js';
import { startReplicaPair, startTestService, type TestService } from '../../support/test-service.js';

const OFF = '0';

async function rejectionsOf(svc: TestService, limit: string): Promise<number> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`assets_rate_limit_rejections_total{limit="${limit}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

for (const backend of LIMIT_BACKENDS) {
  describe(`rate limits counted in ${backend.name}`, () => {
    describe('burst per minute, on two replicas sharing one store', () => {
      const BURST = 5;
      let svc: TestService;
      let replica: TestService;
      const env = { ...backend.env, RATE_LIMIT_BURST_PER_MINUTE: String(BURST), RATE_LIMIT_UPLOADS_PER_HOUR: '1000', RATE_LIMIT_BYTES_PER_HOUR: OFF, STORAGE_QUOTA_BYTES_PER_OWNER: OFF };
      let stop = async (): Promise<void> => undefined;
      before(async () => ({ svc, replica, stop } = await startReplicaPair(env)));
      after(() => stop());

      test('the upload past the burst is RATE_LIMIT_EXCEEDED naming the limit, with whole retryAfterSeconds, and stores nothing', async () => {
        const owner = uniqueName('burster');
        const token = await svc.token(owner);
        for (let i = 0; i < BURST; i++) await createUpload(svc, token, uploadInput());
        const error = errorOf(await svc.gql(CREATE, { input: uploadInput() }, token), 'RATE_LIMIT_EXCEEDED');
        assert.equal(error.extensions.limit, 'burstPerMinute');
        assert.equal(error.extensions.limitValue, BURST);
        const retry = error.extensions.retryAfterSeconds as number;
        assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `retryAfterSeconds ${retry}`);
        assert.match(error.message, /at most 5 uploads per minute.*Retry in \d+ s/);
        assert.equal(await countAssets(svc.db, owner), BURST);
      });

      test('uploads split between two replicas count together', async () => {
        const owner = uniqueName('split');
        const token = await svc.token(owner);
        for (let i = 0; i < BURST; i++) await createUpload(i % 2 ? replica : svc, token, uploadInput());
        errorOf(await replica.gql(CREATE, { input: uploadInput() }, token), 'RATE_LIMIT_EXCEEDED');
        errorOf(await svc.gql(CREATE, { input: uploadInput() }, token), 'RATE_LIMIT_EXCEEDED');
        assert.equal(await countAssets(svc.db, owner), BURST);
      });

      test('concurrent uploads on both replicas admit exactly the burst', async () => {
        const owner = uniqueName('stampede');
        const token = await svc.token(owner);
        const answers = await Promise.all(Array.from({ length: 4 * BURST }, (_, i) => (i % 2 ? replica : svc).gql(CREATE, { input: uploadInput() }, token)));
        const refused = answers.filter((a) => a.errors?.[0]?.extensions.code === 'RATE_LIMIT_EXCEEDED');
        assert.equal(answers.length - refused.length, BURST, JSON.stringify(answers.filter((a) => a.errors && !refused.includes(a))));
        assert.equal(await countAssets(svc.db, owner), BURST);
      });

      test('repeating an idempotent request does not count, and is answered even over the limit', async () => {
        const token = await svc.token(uniqueName('retrier'));
        const input = uploadInput({ idempotencyKey: `key-${randomUUID()}` });
        const first = await createUpload(svc, token, input);
        for (let i = 0; i < 2 * BURST; i++) assert.equal((await createUpload(i % 2 ? replica : svc, token, input)).id, first.id);
        for (let i = 1; i < BURST; i++) await createUpload(svc, token, uploadInput());
        errorOf(await svc.gql(CREATE, { input: uploadInput() }, token), 'RATE_LIMIT_EXCEEDED');
        assert.equal((await createUpload(svc, token, input)).id, first.id, 'a repeat is answered even when the owner is over the limit');
      });

      test('an owner over the limit leaves other owners unaffected, on both replicas', async () => {
        const greedy = await svc.token(uniqueName('greedy'));
        for (let i = 0; i < BURST; i++) await createUpload(svc, greedy, uploadInput());
        errorOf(await svc.gql(CREATE, { input: uploadInput() }, greedy), 'RATE_LIMIT_EXCEEDED');
        const owner = uniqueName('bystander');
        const bystander = await svc.token(owner);
        await createUpload(svc, bystander, uploadInput());
        await createUpload(replica, bystander, uploadInput());
        assert.equal(await countAssets(svc.db, owner), 2);
      });

      test('refusals are counted in the metrics by limit', async () => {
        const before = await rejectionsOf(svc, 'burstPerMinute');
        const token = await svc.token(uniqueName('metered'));
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
          ...backend.env,
          RATE_LIMIT_BURST_PER_MINUTE: OFF,
          RATE_LIMIT_UPLOADS_PER_HOUR: String(PER_HOUR),
          RATE_LIMIT_BYTES_PER_HOUR: String(BYTES),
          STORAGE_QUOTA_BYTES_PER_OWNER: OFF,
        });
      });
      after(() => svc?.stop());

      test('the upload past the hourly limit is refused for the rest of the hour', async () => {
        const token = await svc.token(uniqueName('hourly'));
        for (let i = 0; i < PER_HOUR; i++) await createUpload(svc, token, uploadInput({ sizeBytes: 1 }));
        const error = errorOf(await svc.gql(CREATE, { input: uploadInput({ sizeBytes: 1 }) }, token), 'RATE_LIMIT_EXCEEDED');
        assert.equal(error.extensions.limit, 'uploadsPerHour');
        const retry = error.extensions.retryAfterSeconds as number;
        assert.ok(Number.isInteger(retry) && retry > 60 && retry <= 3600, `retryAfterSeconds ${retry}`);
      });

      test('declared bytes past the hourly allowance are refused, and the refused size does not count', async () => {
        const token = await svc.token(uniqueName('bulky'));
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

      test('an upload refused by one limit counts in none of the others', async () => {
        const token = await svc.token(uniqueName('rebuffed'));
        await createUpload(svc, token, uploadInput({ sizeBytes: 90 }));
        for (let i = 0; i < 2 * PER_HOUR; i++) {
          const refused = errorOf(await svc.gql(CREATE, { input: uploadInput({ sizeBytes: 50 }) }, token), 'RATE_LIMIT_EXCEEDED');
          assert.equal(refused.extensions.limit, 'bytesPerHour');
        }
        for (let i = 1; i < PER_HOUR; i++) await createUpload(svc, token, uploadInput({ sizeBytes: 1 }));
        assert.equal(errorOf(await svc.gql(CREATE, { input: uploadInput({ sizeBytes: 1 }) }, token), 'RATE_LIMIT_EXCEEDED').extensions.limit, 'uploadsPerHour');
      });
    });

    describe('a limit large enough to be reserved ahead, on two replicas', () => {
      const LARGE_BURST = 100;
      const env = { ...backend.env, RATE_LIMIT_BURST_PER_MINUTE: String(LARGE_BURST), RATE_LIMIT_UPLOADS_PER_HOUR: OFF, RATE_LIMIT_BYTES_PER_HOUR: OFF, STORAGE_QUOTA_BYTES_PER_OWNER: OFF };
      let svc: TestService;
      let replica: TestService;
      let stop = async (): Promise<void> => undefined;
      before(async () => ({ svc, replica, stop } = await startReplicaPair(env)));
      after(() => stop());

      test('300 concurrent uploads over both replicas store never more than the limit (at most 1 % less), and the rest are refused', async () => {
        const owner = uniqueName('reserved');
        const token = await svc.token(owner);
        const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? replica : svc).gql(CREATE, { input: uploadInput() }, token)));
        const refused = answers.filter((a) => a.errors?.[0]?.extensions?.code === 'RATE_LIMIT_EXCEEDED').length;
        const created = answers.filter((a) => a.data?.createAssetUpload?.id).length;
        assert.equal(created + refused, 300, JSON.stringify(answers.find((a) => a.errors && a.errors[0]?.extensions?.code !== 'RATE_LIMIT_EXCEEDED')));
        assert.ok(created <= LARGE_BURST, `${created} created`);
        // Reservations held by one replica may refuse up to 1 % early on the other.
        assert.ok(created >= LARGE_BURST - 2, `${created} created`);
        assert.equal(await countAssets(svc.db, owner), created);
      });
    });
  });
}
