import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from '../config/config.js';

/**
 * Paths that may carry credentials or URL signatures. Presigned URLs are bearer credentials until
 * they expire, so they are redacted like tokens and secrets.
 */
const REDACTED_PATHS = [
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
  'config.redis.url',
];

/** JSON lines to stdout by default; tests pass a destination to read what the service logs. A mixin adds fields to every line. */
export function createLogger(level: string, destination?: DestinationStream, options: { mixin?: LoggerOptions['mixin'] } = {}): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, mixin: options.mixin }, destination);
}

/**
 * The service's logger for its configuration: with tracing configured, lines carry trace_id and span_id.
 * The OpenTelemetry API is loaded only then, and once, here: each line calls the mixin directly.
 */
export async function createServiceLogger(config: Pick<Config, 'logLevel' | 'tracing'>): Promise<Logger> {
  if (!config.tracing) return createLogger(config.logLevel);
  const { traceIdsOfActiveSpan } = await import('./tracing/log-correlation.js');
  return createLogger(config.logLevel, undefined, { mixin: traceIdsOfActiveSpan });
}
