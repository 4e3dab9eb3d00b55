import type { Logger } from 'pino';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';

/** The service's own logger, writing JSON lines into memory so tests can read them. */
export function capturedLogger(level = 'debug'): { logger: Logger; lines: () => Record<string, any>[]; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger(level, sink);
  const text = () => chunks.join('');
  return { logger, text, lines: () => text().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}
