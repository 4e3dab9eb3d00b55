import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP proxy in front of a real dependency. cut() makes the dependency unreachable
 * (open connections dropped, new ones refused), restore() brings it back on the same port: an
 * outage as the service sees it, without stopping infrastructure other tests share. stall() keeps
 * every connection open but carries nothing either way (a hung dependency), resume() delivers what
 * waited (a no-op unless stalled).
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly links = new Set<{ client: Socket; upstream: Socket }>();
  private stalled = false;
  port = 0;

  constructor(private readonly targetHost: string, private readonly targetPort: number) {}

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  stall(): void {
    this.stalled = true;
    for (const { client, upstream } of this.links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  resume(): void {
    // Carrying a link that already carries would pipe it twice, and deliver every byte twice.
    if (!this.stalled) return;
    this.stalled = false;
    for (const link of this.links) carry(link);
  }

  /** Listens again (a no-op while it still listens). */
  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => client.destroy());
      }
      const link = { client, upstream };
      this.links.add(link);
      client.on('close', () => this.links.delete(link));
      if (!this.stalled) carry(link);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }
}

function carry({ client, upstream }: { client: Socket; upstream: Socket }): void {
  client.pipe(upstream).pipe(client);
}
