import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { LazyRequestLogger, lazyRequestLoggers } from '../../../src/http/lazy-request-logger.js';
import { capturedLogger } from '../../support/captured-logs.js';

describe('request loggers made on first use', () => {
  test('a request that logs nothing never makes a child logger', () => {
    const { logger } = capturedLogger('info');
    const child = mock.method(logger, 'child');
    const requestLog = new LazyRequestLogger(logger, { reqId: 'r-1' }, {});
    assert.equal(requestLog.level, 'info');
    assert.equal(child.mock.callCount(), 0);
    assert.equal(requestLog.made, false);
  });

  test('a line it logs carries the request bindings, once, through one child', () => {
    const { logger, lines } = capturedLogger('info');
    const child = mock.method(logger, 'child');
    const requestLog = new LazyRequestLogger(logger, { reqId: 'r-2' }, {});
    requestLog.error({ code: 'X' }, 'first');
    requestLog.warn('second');
    assert.equal(child.mock.callCount(), 1);
    assert.deepEqual(
      lines().map((l) => [l.reqId, l.msg, l.level]),
      [
        ['r-2', 'first', 50],
        ['r-2', 'second', 40],
      ],
    );
    assert.equal(lines()[0]!.code, 'X');
  });

  test('a level that is off writes nothing and makes no child', () => {
    const { logger, lines } = capturedLogger('warn');
    const child = mock.method(logger, 'child');
    const requestLog = new LazyRequestLogger(logger, { reqId: 'r-3' }, {});
    requestLog.info('not written');
    requestLog.debug('not written either');
    assert.equal(child.mock.callCount(), 0);
    assert.deepEqual(lines(), []);
  });

  test('its own level and children go to the request logger', () => {
    const { logger, lines } = capturedLogger('warn');
    const requestLog = new LazyRequestLogger(logger, { reqId: 'r-4' }, {});
    requestLog.level = 'debug';
    requestLog.debug('now written');
    requestLog.child({ step: 'inner' }).info('from a child');
    assert.equal(logger.level, 'warn', 'the service logger keeps its level');
    assert.deepEqual(
      lines().map((l) => [l.reqId, l.step, l.msg]),
      [
        ['r-4', undefined, 'now written'],
        ['r-4', 'inner', 'from a child'],
      ],
    );
  });

  test('in Fastify, request.log lines carry the request id, and silent requests make no logger', async () => {
    const { logger, lines } = capturedLogger('info');
    const made: FastifyBaseLogger[] = [];
    let requests = 0;
    const app = Fastify({ loggerInstance: logger, disableRequestLogging: true, childLoggerFactory: lazyRequestLoggers, genReqId: () => `req-${++requests}` });
    app.addHook('onRequest', async (request) => {
      made.push(request.log);
    });
    app.get('/quiet', async () => 'ok');
    app.get('/loud', async (request) => {
      request.log.warn('something to say');
      return 'ok';
    });
    await app.inject({ url: '/quiet' });
    await app.inject({ url: '/loud' });
    await app.close();
    const [quietLog, loudLog] = made as LazyRequestLogger[];
    assert.equal(quietLog!.made, false);
    assert.equal(loudLog!.made, true);
    const said = lines().filter((l) => l.msg === 'something to say');
    assert.equal(said.length, 1);
    assert.equal(said[0]!.reqId, 'req-2');
  });
});
