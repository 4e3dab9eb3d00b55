import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { capturedLogger } from '../support/captured-logs.js';
import { CONFIRM, CREATE, DELETE, uploadInput, uploadTo } from '../support/operations.js';
import { startTestService, type TestService } from '../support/test-service.js';

describe('metrics and audit logs after a real upload flow', () => {
  const logs = capturedLogger('debug');
  let svc: TestService;
  let token: string;
  let readyId: string;
  let failedId: string;

  before(async () => {
    svc = await startTestService({ LOG_LEVEL: 'debug' }, { logger: logs.logger });
    token = await svc.token('auditor');
    const ready = (await svc.gql(CREATE, { input: uploadInput() }, token)).data!.createAssetUpload;
    await uploadTo(ready, 'hello world');
    await svc.gql(CONFIRM, { id: ready.id }, token);
    await svc.gql(DELETE, { id: ready.id }, token);
    const failed = (await svc.gql(CREATE, { input: uploadInput() }, token)).data!.createAssetUpload;
    await svc.gql(CONFIRM, { id: failed.id }, token);
    await svc.gql(CREATE, { input: uploadInput() }, 'not-a-token');
    readyId = ready.id;
    failedId = failed.id;
  });
  after(() => svc.stop());

  test('every lifecycle transition leaves one audit line with asset, owner, namespace and request id', () => {
    const audit = logs.lines().filter((l) => l.audit);
    const events = audit.map((l) => [l.event, l.assetId]);
    assert.deepEqual(events, [
      ['asset.created', readyId],
      ['asset.confirmed', readyId],
      ['asset.deleted', readyId],
      ['asset.created', failedId],
      ['asset.failed', failedId],
    ]);
    for (const line of audit) {
      assert.equal(line.ownerId, 'auditor');
      assert.equal(line.namespace, 'attachments');
      assert.match(line.reqId, /^[0-9a-f-]{36}$/);
    }
    assert.equal(audit.find((l) => l.event === 'asset.failed')?.reason, 'OBJECT_MISSING');
  });

  test('no token, storage secret or URL signature ever appears in the logs', () => {
    const text = logs.text();
    assert.ok(text.length > 0, 'the service logged something');
    assert.ok(!text.includes(token.split('.')[2]!), 'token signature leaked');
    assert.ok(!text.includes(svc.env.STORAGE_SECRET!), 'storage secret leaked');
    assert.ok(!text.includes('X-Amz-Signature'), 'presigned URL leaked');
  });

  test('/metrics reports operation latency, lifecycle counts by namespace and reason, storage calls and the pool', async () => {
    const res = await fetch(`${svc.url}/metrics`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /assets_http_request_duration_seconds_count\{operation="createAssetUpload",status="200"\} 2/);
    assert.match(body, /assets_http_request_duration_seconds_count\{operation="\/graphql",status="401"\} 1/, 'a call refused before its query is read counts under the route');
    assert.match(body, /assets_lifecycle_events_total\{event="asset.created",namespace="attachments",reason=""\} 2/);
    assert.match(body, /assets_lifecycle_events_total\{event="asset.failed",namespace="attachments",reason="OBJECT_MISSING"\} 1/);
    assert.match(body, /assets_storage_request_duration_seconds_count\{operation="GetObjectCommand",outcome="(ok|error)"\} \d+/);
    assert.match(body, /assets_db_pool_connections \d+/);
  });
});
