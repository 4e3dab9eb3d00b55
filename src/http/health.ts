import type { FastifyInstance } from 'fastify';

export type HealthCheck = () => Promise<void>;

/** The health endpoints; the Docker HEALTHCHECK and the Kubernetes probes are checked against this list. */
export const HEALTH_ROUTES = { health: '/health', ready: '/health/ready', live: '/health/live' } as const;

export interface HealthChecks {
  database: HealthCheck;
  storage: HealthCheck;
  /**
   * JWT_JWKS_URL served a usable RS256 key: until it has, no token can be verified, so a pod started with
   * a wrong URL (or one its network policy blocks) never becomes ready and a rollout stops there. Up for
   * good once it passed (see upOnceConfirmed): fetched keys (10 minutes) and verified tokens (15 minutes
   * into an outage) keep serving, so a later issuer outage must not take every pod out of the Service.
   */
  issuerKeys: HealthCheck;
  /**
   * Only when the rate limits are counted in Redis (REDIS_URL). Reported, but it does not make the
   * service unready: without Redis only new uploads fail (REDIS_UNAVAILABLE); reads, confirms, deletes
   * and download URLs still work, and taking every pod out of the Service would stop those too.
   */
  redis?: HealthCheck;
}

/** Checks whose failure is reported without failing readiness. */
const REPORTED_ONLY: ReadonlySet<string> = new Set(['redis']);

interface CheckResult {
  status: 'up' | 'down';
  error?: string;
}

async function run(check: HealthCheck): Promise<CheckResult> {
  try {
    await check();
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  }
}

/**
 * /health and /health/ready: 200 only when the service can serve (database and storage answer, the
 * issuer's keys were usable once;
 * status "degraded" when only Redis does not); /health/live: 200 while the process runs, so Kubernetes restarts it only
 * when it is truly stuck.
 */
export function registerHealthRoutes(app: FastifyInstance, checks: HealthChecks): void {
  const configured = Object.entries(checks).filter((entry): entry is [string, HealthCheck] => entry[1] !== undefined);
  const readiness = async (_: unknown, reply: import('fastify').FastifyReply) => {
    const results = await Promise.all(configured.map(async ([name, check]) => [name, await run(check)] as const));
    const down = results.filter(([, result]) => result.status === 'down').map(([name]) => name);
    const ready = down.every((name) => REPORTED_ONLY.has(name));
    const status = !ready ? 'unavailable' : down.length > 0 ? 'degraded' : 'ok';
    return reply.code(ready ? 200 : 503).send({ status, checks: Object.fromEntries(results) });
  };
  app.get(HEALTH_ROUTES.health, readiness);
  app.get(HEALTH_ROUTES.ready, readiness);
  app.get(HEALTH_ROUTES.live, async () => ({ status: 'ok' }));
}

/** Remembers a successful check for a short while so probes and load balancers do not hammer dependencies. */
export function cachedCheck(check: HealthCheck, ttlMs: number, now: () => number = Date.now): HealthCheck {
  let okUntil = 0;
  return async () => {
    if (now() < okUntil) return;
    await check();
    okUntil = now() + ttlMs;
  };
}

/**
 * Down until the check first passes, then up for good. Concurrent callers (probes arriving together,
 * the start-up check) share one attempt, so a slow dependency is not asked once per caller.
 */
export function upOnceConfirmed(check: HealthCheck): HealthCheck {
  let confirmed = false;
  let attempt: Promise<void> | undefined;
  return async () => {
    if (confirmed) return;
    attempt ??= check()
      .then(() => void (confirmed = true))
      .finally(() => (attempt = undefined));
    await attempt;
  };
}
