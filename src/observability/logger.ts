import pino, { type DestinationStream, type Logger } from 'pino';
import { traceIdsOfActiveSpan } from './tracing/log-correlation.js';

/**
 * Paths that may carry credentials or URL signatures. Presigned URLs are bearer credentials until
 * they expire, so they are redacted like tokens and secrets.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.token',
  '*.secret',
  '*.password',
  '*.uploadUrl',
  '*.downloadUrl',
  'config.storage.secret',
  'config.database.connectionString',
  'config.redisUrl',
];

/** JSON lines to stdout by default; tests pass a destination to read what the service logs. With tracing on, lines carry trace_id and span_id. */
export function createLogger(level: string, destination?: DestinationStream, options: { traceIds?: boolean } = {}): Logger {
  const mixin = options.traceIds ? traceIdsOfActiveSpan : undefined;
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, mixin }, destination);
}
