import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GraphQLError } from 'graphql';
import type { FastifyBaseLogger } from 'fastify';
import { IssuerUnavailableError } from '../../../src/auth/issuer-unavailable.js';
import { AssetError } from '../../../src/domain/errors.js';
import { formatError, statusFor } from '../../../src/graphql/error-formatter.js';

/** Records what formatError logs. */
function recordingLog() {
  const errors: { obj: Record<string, unknown>; msg: string }[] = [];
  const log = { error: (obj: Record<string, unknown>, msg: string) => errors.push({ obj, msg }) } as unknown as FastifyBaseLogger;
  return { log, errors };
}

function resolverError(original: Error): GraphQLError {
  return new GraphQLError(original.message, { path: ['createAssetUpload'], originalError: original });
}

describe('formatError', () => {
  test('keeps a domain error\'s message and puts its code and details in extensions', () => {
    const { log, errors } = recordingLog();
    const error = new AssetError('VALIDATION_ERROR', 'sizeBytes must be positive.', { field: 'sizeBytes' });
    const formatted = formatError(resolverError(error), log, 'req-1');
    assert.equal(formatted.message, 'sizeBytes must be positive.');
    assert.deepEqual(formatted.extensions, { code: 'VALIDATION_ERROR', field: 'sizeBytes' });
    assert.deepEqual(formatted.path, ['createAssetUpload']);
    assert.equal(errors.length, 0, 'expected errors are not logged as failures');
  });

  test('carries every error code through', () => {
    const { log } = recordingLog();
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'STATE_ERROR', 'RATE_LIMIT_EXCEEDED', 'STORAGE_UNAVAILABLE'] as const) {
      assert.equal(formatError(resolverError(new AssetError(code, 'x')), log, 'r').extensions.code, code);
    }
  });

  test('never lets details override the code', () => {
    const { log } = recordingLog();
    const formatted = formatError(resolverError(new AssetError('FORBIDDEN', 'no', { code: 'OTHER' })), log, 'r');
    assert.equal(formatted.extensions.code, 'FORBIDDEN');
  });

  test('reports errors of the query itself (no original error) as VALIDATION_ERROR', () => {
    const { log, errors } = recordingLog();
    const formatted = formatError(new GraphQLError('Cannot query field "nope" on type "Query".'), log, 'r');
    assert.equal(formatted.message, 'Cannot query field "nope" on type "Query".');
    assert.deepEqual(formatted.extensions, { code: 'VALIDATION_ERROR' });
    assert.equal(errors.length, 0);
  });

  test('reports a GraphQLError thrown while parsing a variable as VALIDATION_ERROR', () => {
    const { log } = recordingLog();
    const formatted = formatError(resolverError(new GraphQLError('Long must be a whole number')), log, 'r');
    assert.equal(formatted.extensions.code, 'VALIDATION_ERROR');
  });

  test('hides an unexpected error behind INTERNAL with the request id, logging the original', () => {
    const { log, errors } = recordingLog();
    const original = new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    const formatted = formatError(resolverError(original), log, 'req-77');
    assert.equal(formatted.extensions.code, 'INTERNAL');
    assert.equal(formatted.extensions.requestId, 'req-77');
    assert.match(formatted.message, /Internal error.*req-77/);
    assert.ok(!JSON.stringify(formatted).includes('hunter2'));
    assert.ok(!JSON.stringify(formatted).includes('ECONNREFUSED'));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.obj.err, original);
    assert.equal(errors[0]?.obj.requestId, 'req-77');
  });
});

describe('statusFor', () => {
  test('is 400 when nothing executed and 200 beside (partial) data', () => {
    assert.equal(statusFor({ errors: [new GraphQLError('bad query')] }), 400);
    const refused = new GraphQLError('no token', { originalError: new AssetError('UNAUTHENTICATED', 'no token') });
    assert.equal(statusFor({ errors: [refused] }), 401, 'a call refused for its token');
    assert.equal(statusFor({ errors: [refused, new GraphQLError('bad query')] }), 400);
    assert.equal(statusFor({ data: null, errors: [refused] }), 200);
    const issuerDown = new GraphQLError('keys', { originalError: new IssuerUnavailableError() });
    assert.equal(statusFor({ errors: [issuerDown] }), 503, 'the token could not be checked: retry, do not log in again');
    assert.equal(statusFor({ errors: [] }), 400);
    assert.equal(statusFor({ data: null, errors: [new GraphQLError('x')] }), 200);
    assert.equal(statusFor({ data: { asset: null } }), 200);
  });
});
