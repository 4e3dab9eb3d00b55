import type { Logger } from 'pino';
import type { TracingConfig } from '../../config/tracing-config.js';

export interface Tracing {
  /** Exports the spans still buffered; the process may exit after it. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { shutdown: async () => undefined };

/**
 * Tracing costs nothing unless configured: without a config the OpenTelemetry SDK is never even loaded.
 * Call before importing the service (app.ts), so the instrumentations see pg and the HTTP stack load.
 */
export async function startTracing(config: TracingConfig | undefined, logger: Logger): Promise<Tracing> {
  if (!config) return OFF;
  const { startTracingSdk } = await import('./tracing-sdk.js');
  return startTracingSdk(config, logger);
}
