/** A store the per-owner rate limits can count in, as the service's environment selects it. */
export interface LimitBackend {
  name: string;
  env: Record<string, string>;
  /** Why this backend's tests cannot run here, when they cannot. */
  skip?: string;
}

const redisUrl = process.env.TEST_REDIS_URL;

/** PostgreSQL (the default) and Redis (REDIS_URL: the real Redis scripts/infra/up.sh starts, at TEST_REDIS_URL). */
export const LIMIT_BACKENDS: LimitBackend[] = [
  { name: 'PostgreSQL', env: {} },
  redisUrl
    ? { name: 'Redis', env: { REDIS_URL: redisUrl } }
    : { name: 'Redis', env: {}, skip: 'TEST_REDIS_URL is not set: run the tests with "npm test", which starts Redis (scripts/infra/up.sh)' },
];
