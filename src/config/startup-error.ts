/**
 * A problem that stops the service or a command from starting, phrased for the operator: the message
 * names the setting and the fix, and is printed as it is, without a stack trace. The specific errors
 * (configuration, buckets, Redis) extend it. No imports, on purpose: the command line recognises them
 * without loading the modules that throw them (ioredis, the AWS SDK).
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
