// Run as a process of its own (startup.test.ts): starts the service in this process from the environment,
// as `serve` does, but without the CLI's process.exit when the start fails. It prints why the start
// failed, as the CLI would, and then lets the event loop run out. Exit code 0 only when the failed start
// closed everything it had opened:
// - a connection or server still referenced keeps the process running: after a few seconds it names
//   what holds it (process.getActiveResourcesInfo()) on stdout and exits 1;
// - an idle connection that no longer holds the loop (an HTTP agent's keep-alive socket, say) is still
//   open when the loop runs out: its peer address is named on stdout, exit code 1. Found through
//   /proc/self/fd and /proc/net/tcp{,6} (proc-sockets.ts), so on Linux, where the test infrastructure runs.
import { startService } from '../../src/app.js';
import { describeStartupError } from '../../src/cli/startup-errors.js';
import { loadConfig } from '../../src/config/config.js';
import { tcpSockets } from './proc-sockets.js';

/** Time for sockets that are already closing to go; an open pool, Redis client or server stays for good. */
const GRACE_MS = 5000;

try {
  const service = await startService(loadConfig(process.env));
  process.stdout.write(`started at ${service.url}, but this script expects the start to fail\n`);
  await service.close();
  process.exitCode = 2;
} catch (error) {
  process.stderr.write(`${describeStartupError(error)}\n`);
  setTimeout(() => {
    process.stdout.write(`still running ${GRACE_MS} ms after the failed start, held by: ${process.getActiveResourcesInfo().join(', ')}\n`);
    process.exit(1);
  }, GRACE_MS).unref();
  process.once('beforeExit', () => {
    // The remote address of each TCP socket this process still has open.
    const open = tcpSockets('self').map((socket) => socket.remote);
    if (open.length === 0) return;
    process.stdout.write(`TCP connections still open after the failed start, to: ${open.join(', ')}\n`);
    process.exitCode = 1;
  });
}
