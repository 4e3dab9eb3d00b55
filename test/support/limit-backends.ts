/** A store the per-owner rate limits can count in, as the service's environment selects it. */
export interface LimitBackend {
  name: string;
  /** The service settings that select it; read when a suite starts, so a missing store fails that suite. */
  readonly env: Record<string, string>;
}

/** PostgreSQL (the default) and Redis (REDIS_URL: the real Redis scripts/infra/up.sh starts, at TEST_REDIS_URL). */
export const LIMIT_BACKENDS: LimitBackend[] = [
  { name: 'PostgreSQL', env: {} },
  {
    name: 'Redis',
    get env() {
      return { REDIS_URL: testRedisUrl() };
    },
  },
];

/** The real Redis scripts/infra/up.sh starts (TEST_REDIS_URL); read when a suite starts, so a missing one fails that suite. */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  // Not a skip: a suite that cannot run is a failure, or CI would count it as passing.
  if (!url) throw new Error('TEST_REDIS_URL is not set: run the tests with "npm test", which starts Redis (scripts/infra/up.sh), or set it to a Redis of your own.');
  return url;
}
