import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

type LogArguments = Parameters<Logger['info']>;

/**
 * request.log, made only when the request logs something. Fastify makes a child logger per request,
 * and pino's child() serialises its bindings at once: ~1-1.5 µs and a larger object to collect,
 * about 1 % of the service's CPU per createAssetUpload in a perf profile, though with access logs off
 * almost no request ever logs. Lines logged through it are the child's: same bindings (reqId), same level.
 */
export class LazyRequestLogger implements FastifyBaseLogger {
  private requestLogger: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  /** Whether the request's logger exists yet (for tests). */
  get made(): boolean {
    return this.requestLogger !== undefined;
  }

  get level(): string {
    return (this.requestLogger ?? this.parent).level;
  }

  set level(level: string) {
    this.logger().level = level;
  }

  fatal(...args: LogArguments): void {
    this.write('fatal', args);
  }

  error(...args: LogArguments): void {
    this.write('error', args);
  }

  warn(...args: LogArguments): void {
    this.write('warn', args);
  }

  info(...args: LogArguments): void {
    this.write('info', args);
  }

  debug(...args: LogArguments): void {
    this.write('debug', args);
  }

  trace(...args: LogArguments): void {
    this.write('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger().child(bindings, options);
  }

  private write(level: Level, args: LogArguments): void {
    // A level that is off costs nothing, as with pino itself: no child is made for it.
    if (!(this.requestLogger ?? this.parent).isLevelEnabled(level)) return;
    this.logger()[level](...args);
  }

  private logger(): Logger {
    this.requestLogger ??= this.parent.child(this.bindings, this.options);
    return this.requestLogger;
  }
}

/** Fastify's childLoggerFactory: request loggers made on first use. */
export function lazyRequestLoggers(this: unknown, parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(parent as Logger, bindings, options);
}
