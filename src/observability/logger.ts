import pino, { type DestinationStream, type Logger } from 'pino';

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
];

/** JSON lines to stdout by default; tests pass a destination to read what the service logs. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
