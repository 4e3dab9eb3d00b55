// Run as a process of its own (startup.test.ts): starts the service in this process from the environment,
// as `serve` does, but without the CLI's process.exit when the start fails. It prints why the start
// failed, as the CLI would, and then lets the event loop run out. Exit code 0 only when the failed start
// closed everything it had opened:
// - a connection or server still referenced keeps the process running: after a few seconds it names
//   what holds it (process.getActiveResourcesInfo()) on stdout and exits 1;
// - an idle connection that no longer holds the loop (an HTTP agent's keep-alive socket, say) is still
//   open when the loop runs out: its peer address is named on stdout, exit code 1. Found through
//   /proc/self/fd and /proc/net/tcp{,6}, so on Linux, where the test infrastructure runs.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { startService } from '../../src/app.js';
import { describeStartupError } from '../../src/cli/startup-errors.js';
import { loadConfig } from '../../src/config/config.js';

/** Time for sockets that are already closing to go; an open pool, Redis client or server stays for good. */
const GRACE_MS = 5000;

/** The remote address (host:port, hex for IPv6) of each TCP socket this process has open. */
function openTcpConnections(): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    const target = (() => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return ''; // the descriptor readdir itself used, closed by now
      }
    })();
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const open: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (!inodes.has(fields[9]!)) continue;
      const [host, port] = fields[2]!.split(':') as [string, string];
      const ipv4 = host.length === 8 ? (host.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)).join('.') : host;
      open.push(`${ipv4}:${parseInt(port, 16)}`);
    }
  }
  return open;
}

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
    const open = openTcpConnections();
    if (open.length === 0) return;
    process.stdout.write(`TCP connections still open after the failed start, to: ${open.join(', ')}\n`);
    process.exitCode = 1;
  });
}
