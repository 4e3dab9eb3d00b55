import { requireEnv, s3Endpoint } from './infra.js';
import { testRedisUrl } from './limit-backends.js';
import { TcpProxy } from './tcp-proxy.js';
import { startTestService, type TestService, type TestServiceOptions } from './test-service.js';

type Env = Record<string, string>;

/** Where a dependency really is, and the service settings that send it to a proxy on 127.0.0.1:`port` instead. */
interface Dependency {
  target(): URL;
  route(env: Env, port: number): Env;
}

const DEPENDENCIES = {
  storage: {
    target: s3Endpoint,
    route: (_env, port) => ({ STORAGE_HOSTNAME: '127.0.0.1', STORAGE_PORT: String(port) }),
  },
  // The service's own database, on the test PostgreSQL server.
  database: {
    target: () => new URL(requireEnv('TEST_DATABASE_URL')),
    route: (env, port) => ({ DATABASE_URL: atProxy(env.DATABASE_URL!, port) }),
  },
  redis: {
    target: () => new URL(testRedisUrl()),
    route: (_env, port) => ({ REDIS_URL: atProxy(testRedisUrl(), port) }),
  },
} satisfies Record<string, Dependency>;

export type ProxiedDependency = keyof typeof DEPENDENCIES;

export interface ProxiedService<D extends ProxiedDependency> {
  svc: TestService;
  /** One proxy per dependency asked for, to cut, stall, resume and restore. */
  proxies: Record<D, TcpProxy>;
  /** Stops the service with its dependencies reachable again (so it closes its connections as it would), then the proxies. */
  stop(): Promise<void>;
}

/**
 * A test service (startTestService with `overrides` and `options`) that reaches each of `dependencies`
 * through a TcpProxy of its own: an outage the tests make and end without stopping infrastructure other
 * tests share. Whatever was started is stopped again if the start fails.
 */
export async function startServiceBehindProxies<D extends ProxiedDependency>(
  dependencies: D[],
  overrides: Env = {},
  options: Omit<TestServiceOptions, 'adjustEnv'> = {},
): Promise<ProxiedService<D>> {
  const proxies = {} as Record<D, TcpProxy>;
  const cutAll = () => Promise.allSettled(Object.values<TcpProxy>(proxies).map((proxy) => proxy.cut()));
  try {
    for (const name of dependencies) {
      const target = DEPENDENCIES[name].target();
      proxies[name] = await new TcpProxy(target.hostname, Number(target.port)).start();
    }
    const adjustEnv = (env: Env) => dependencies.reduce((routed, name) => ({ ...routed, ...DEPENDENCIES[name].route(routed, proxies[name].port) }), env);
    const svc = await startTestService(overrides, { ...options, adjustEnv });
    const stop = async () => {
      try {
        // Best effort: a proxy that cannot listen again only makes the service's goodbye slower.
        await Promise.allSettled(Object.values<TcpProxy>(proxies).map((proxy) => (proxy.resume(), proxy.restore())));
        await svc.stop();
      } finally {
        await cutAll();
      }
    };
    return { svc, proxies, stop };
  } catch (error) {
    await cutAll();
    throw error;
  }
}

/** `url` with the host and port of a proxy listening on 127.0.0.1:`port`. */
function atProxy(url: string, port: number): string {
  const routed = new URL(url);
  routed.hostname = '127.0.0.1';
  routed.port = String(port);
  return routed.toString();
}
