// The TCP sockets a process holds, read from /proc: its socket descriptors (/proc/<pid>/fd) matched with the
// sockets of /proc/net/tcp{,6}, so on Linux, where the test infrastructure runs. Synchronous, so that it can
// run in a 'beforeExit' handler (failing-start.ts).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** /proc/net/tcp's state of a listening socket. */
export const LISTEN = '0A';

export interface TcpSocket {
  /** The kernel's state, in hex as /proc/net/tcp gives it: LISTEN ('0A'), '01' for ESTABLISHED, and so on. */
  state: string;
  localPort: number;
  /** The remote address, host:port (the host dotted for IPv4, in /proc's hex for IPv6). */
  remote: string;
}

/**
 * The TCP sockets of process `pid` (or of this process). A process that is gone, or not there yet, has none;
 * this process's own descriptors are always there to read.
 */
export function tcpSockets(pid: number | 'self'): TcpSocket[] {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (error) {
    if (pid === 'self') throw error;
    return [];
  }
  for (const fd of fds) {
    const target = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return ''; // a descriptor closed since (such as the one readdir itself used)
      }
    })();
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const sockets: TcpSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (() => {
      try {
        return readFileSync(table, 'utf8').trim().split('\n').slice(1);
      } catch {
        return []; // no IPv6 in this kernel
      }
    })();
    for (const line of lines) {
      // sl local_address rem_address st ... inode
      const fields = line.trim().split(/\s+/);
      if (!inodes.has(fields[9]!)) continue;
      const [host, port] = fields[2]!.split(':') as [string, string];
      const ipv4 = host.length === 8 ? (host.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)).join('.') : host;
      sockets.push({ state: fields[3]!, localPort: parseInt(fields[1]!.split(':').at(-1)!, 16), remote: `${ipv4}:${parseInt(port, 16)}` });
    }
  }
  return sockets;
}
