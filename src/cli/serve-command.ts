import type { RunningService } from '../app.js';
import { loadConfig } from '../config/config.js';
import { refuseExampleValues } from '../operations/doctor/deployment-values.js';
import { createServiceLogger } from '../observability/logger.js';
import { startTracing } from '../observability/tracing/tracing.js';
import type { Command } from './commands.js';

/**
 * On SIGTERM/SIGINT: stop taking requests, let in-flight ones and the current job batch finish,
 * close the pools, exit 0. Past the deadline the process exits 1 rather than hang a rollout.
 */
export function stopOnSignals(service: RunningService, deadlineMs: number, cleanup: () => Promise<void> = async () => undefined): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const log = service.app.log;
    log.info({ signal, deadlineMs }, 'shutting down: finishing in-flight work');
    setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown deadline passed; exiting with work unfinished');
      process.exit(1);
    }, deadlineMs).unref();
    try {
      await service.close();
      await cleanup();
      log.info('shutdown complete');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

export const serveCommand: Command = {
  async run() {
    const config = loadConfig(process.env);
    refuseExampleValues(process.env);
    const logger = await createServiceLogger(config);
    const tracing = await startTracing(config.tracing, logger);
    // Imported only now, so that with tracing on, pg and the HTTP stack load patched by its instrumentations.
    const { startService } = await import('../app.js');
    stopOnSignals(await startService(config, logger), config.shutdownTimeoutMs, () => tracing.shutdown());
  },
};
