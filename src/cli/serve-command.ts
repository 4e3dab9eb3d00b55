import { startService, type RunningService } from '../app.js';
import { loadConfig } from '../config/config.js';
import type { Command } from './commands.js';

/** Stops taking requests on SIGTERM/SIGINT, lets in-flight ones finish, then exits 0. */
export function stopOnSignals(service: RunningService, cleanup: () => Promise<void> = async () => undefined): void {
  const stop = async (signal: string) => {
    service.app.log.info({ signal }, 'shutting down');
    await service.close();
    await cleanup();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export const serveCommand: Command = {
  async run() {
    const service = await startService(loadConfig(process.env));
    stopOnSignals(service);
  },
};
