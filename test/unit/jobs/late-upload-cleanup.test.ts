import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import type { JobQueries } from '../../../src/db/job-queries.js';
import type { Asset } from '../../../src/domain/asset.js';
import type { AssetService } from '../../../src/domain/asset-service.js';
import { ExpireStaleUploadsJob } from '../../../src/jobs/expire-stale-uploads.js';
import { RunCounts } from '../../../src/jobs/job.js';

/** The expiry job over queries that offer `dueIds` as late uploads once, and storage that refuses to delete `refused`. */
function jobWith(dueIds: string[], refused: Set<string>) {
  const cleared: string[] = [];
  const retried: string[] = [];
  let offered = false;
  const queries = {
    claimStaleUploads: async () => [],
    lateUploadKeysDue: async () => (offered ? [] : ((offered = true), dueIds.map((id) => ({ id, storageBucket: 'b', storageKey: `k/${id}` }) as Asset))),
    lateUploadKeysCleared: async (ids: string[]) => void cleared.push(...ids),
    lateUploadKeysRetryLater: async (ids: string[]) => void retried.push(...ids),
  } as unknown as JobQueries;
  const service = {
    removeLateUpload: async (asset: Asset) => {
      if (refused.has(asset.id)) throw new Error(`AccessDenied on ${asset.storageKey}`);
    },
  } as unknown as AssetService;
  const job = new ExpireStaleUploadsJob(queries, service, { intervalSeconds: 60, graceSeconds: 60, batchSize: 100 }, pino({ level: 'silent' }));
  return { job, cleared, retried };
}

describe('the expiry job removing late uploads', () => {
  test('a key storage will not delete is put back for later, and the others are cleared', async () => {
    const { job, cleared, retried } = jobWith(['a', 'b', 'c'], new Set(['b']));
    const counts = new RunCounts();
    await job.run(new AbortController().signal, counts);
    assert.deepEqual(cleared, ['a', 'c']);
    assert.deepEqual(retried, ['b']);
    assert.deepEqual([counts.byKind.lateUploadKeysCleared, counts.byKind.errors], [2, 1]);
  });

  test('when storage deletes none of them, the run fails with storage\'s error and every key waits for later', async () => {
    const { job, cleared, retried } = jobWith(['a', 'b'], new Set(['a', 'b']));
    await assert.rejects(job.run(new AbortController().signal, new RunCounts()), /AccessDenied on k\/b/);
    assert.deepEqual(cleared, []);
    assert.deepEqual(retried, ['a', 'b']);
  });
});
