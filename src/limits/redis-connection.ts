import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { StartupError } from '../config/startup-error.js';

/**
 * Where Redis is, and how long connecting and each command may take (REDIS_TIMEOUT_MS). Redis answers
 * in well under a millisecond: a call that takes longer than that means it is overloaded or gone, and
 * an upload waiting on it would only hold its caller. Fail then instead, and let the client retry.
 */
export interface RedisSettings {
  url: string;
  timeoutMs: number;
}
/** How the service's connections show in CLIENT LIST. */
export const CONNECTION_NAME = 'neotool-assets';
/** Reconnecting in the background after a loss: quickly at first, then every 2 s. */
const reconnectDelayMs = (attempt: number): number => Math.min(attempt * 100, 2000);

/** Redis did not answer at startup: one message naming the setting and the fix, like the other startup checks. */
export class RedisStartupError extends StartupError {}

/**
 * The service's one connection to REDIS_URL. Commands never queue while it is down (no offline queue,
 * no resend after a reconnect): they fail at once, and the limiter turns that into REDIS_UNAVAILABLE,
 * while the client reconnects in the background.
 */
export class RedisConnection {
  private lastError: Error | undefined;
  /** A connection that never was ready has nothing to lose: a failed start says so in its own message. */
  private everReady = false;
  private lost = false;
  private closing = false;

  private constructor(
    readonly client: Redis,
    /** host:port, never the password. */
    private readonly where: string,
    private readonly logger: Logger,
  ) {
    client.on('error', (error: Error) => void (this.lastError = error));
    client.on('close', () => this.onClose());
    client.on('ready', () => this.onReady());
  }

  /** Connects and waits until Redis answers, or throws a RedisStartupError. */
  static async open({ url, timeoutMs }: RedisSettings, logger: Logger): Promise<RedisConnection> {
    const client = new Redis(url, {
      connectionName: CONNECTION_NAME,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      retryStrategy: reconnectDelayMs,
    });
    const connection = new RedisConnection(client, new URL(url).host, logger);
    try {
      await client.connect();
    } catch (error) {
      connection.closing = true;
      client.disconnect();
      throw new RedisStartupError(redisStartupProblem(connection.where, connection.lastError ?? (error as Error)));
    }
    return connection;
  }

  /** For /health/ready: fails at once while the connection is down. */
  async ping(): Promise<void> {
    try {
      await this.client.ping();
    } catch (error) {
      throw new Error(`Redis at ${this.where} is not answering (${(error as Error).message}); reconnecting`);
    }
  }

  /** Closes after the replies still due, or at once when Redis is gone. */
  async close(): Promise<void> {
    this.closing = true;
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Logged once per outage, not at every reconnect attempt. */
  private onClose(): void {
    if (this.closing || this.lost || !this.everReady) return;
    this.lost = true;
    this.logger.warn({ err: this.lastError }, 'Lost the connection to Redis; uploads fail with REDIS_UNAVAILABLE until it is back (reconnecting)');
  }

  private onReady(): void {
    this.everReady = true;
    if (this.lost) this.logger.info('Reconnected to Redis; uploads are counted against the rate limits again');
    this.lost = false;
  }
}

/** The startup message for Redis at `where` (host:port, never the password) failing with `error`. */
export function redisStartupProblem(where: string, error: Error): string {
  if (/WRONGPASS|NOAUTH|NOPERM/.test(error.message)) return `Redis at ${where} refused the credentials (${error.message}). Fix the user or password in REDIS_URL.`;
  return `Cannot reach Redis at ${where} (${error.message}). Check REDIS_URL and that Redis is running, or unset REDIS_URL to count the rate limits in PostgreSQL.`;
}
