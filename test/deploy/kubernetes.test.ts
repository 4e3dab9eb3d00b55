import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { parseNamespaces } from '../../src/config/namespaces-file.js';
import { HEALTH_ROUTES, registerHealthRoutes } from '../../src/http/health.js';
import { lastArgs, readDockerfile } from './support/dockerfile.js';
import { defaultOf, isSecretEnvVar, missingRequiredEnvVars, unknownEnvVars } from './support/env-vars.js';
import { findObject, renderKustomization, selects, type K8sObject } from './support/kustomize.js';

const OVERLAY = 'deploy/kubernetes/overlays/production';
const VAULT_PROPERTIES: Record<string, string> = {
  STORAGE_HOSTNAME: 'storage-hostname',
  STORAGE_ACCESS_KEY: 'storage-access-key',
  STORAGE_SECRET: 'storage-secret',
  STORAGE_PUBLIC_BASE_PATH: 'storage-public-base-path',
  JWT_JWKS_URL: 'jwt-jwks-url',
};
/** What an operator puts into Vault and postgres-credentials, per the runbook. */
const EXAMPLE_SECRET_VALUES: Record<string, string> = {
  STORAGE_HOSTNAME: '0123456789abcdef.r2.cloudflarestorage.com',
  STORAGE_ACCESS_KEY: 'r2-access-key-id',
  STORAGE_SECRET: 'r2-secret-access-key',
  STORAGE_PUBLIC_BASE_PATH: 'https://assets.yourdomain.com',
  JWT_JWKS_URL: 'https://security.yourdomain.com/.well-known/jwks.json',
  POSTGRES_HOST: 'postgres.production.svc',
  POSTGRES_PORT: '5432',
  POSTGRES_DB: 'neotool_assets',
  POSTGRES_USER: 'neotool_assets',
  POSTGRES_PASSWORD: 'pg-password',
};

let objects: K8sObject[];
let deployment: K8sObject;
let pod: any;
let container: any;

/** The port number a probe or Service names, resolving a named container port. */
function portNumber(port: number | string): number {
  if (typeof port === 'number') return port;
  const named = (container.ports as { name?: string; containerPort: number }[]).find((p) => p.name === port);
  assert.ok(named, `no container port is named "${port}"`);
  return named.containerPort;
}

function configMapNamed(name: string): K8sObject {
  return findObject(objects, 'ConfigMap', name);
}

function externalSecretFor(secretName: string): K8sObject {
  const found = objects.find((o) => o.kind === 'ExternalSecret' && o.spec.target?.name === secretName);
  assert.ok(found, `Secret "${secretName}" is used by the Deployment but no ExternalSecret in the manifests creates it`);
  return found;
}

/** Every variable the container gets, where it comes from and its value when the manifests know it. */
function containerEnvironment(): Map<string, { source: string; value?: string }> {
  const env = new Map<string, { source: string; value?: string }>();
  for (const entry of container.env ?? []) {
    env.set(entry.name, entry.valueFrom?.secretKeyRef ? { source: `Secret ${entry.valueFrom.secretKeyRef.name}` } : { source: 'env', value: entry.value });
  }
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) {
      for (const [key, value] of Object.entries(configMapNamed(from.configMapRef.name).data ?? {})) env.set(key, { source: 'ConfigMap', value });
    }
    if (from.secretRef) {
      for (const item of externalSecretFor(from.secretRef.name).spec.data) env.set(item.secretKey, { source: `Secret ${from.secretRef.name}` });
    }
  }
  return env;
}

before(() => {
  objects = renderKustomization(OVERLAY);
  deployment = findObject(objects, 'Deployment', 'neotool-assets');
  pod = deployment.spec.template.spec;
  container = pod.containers.find((c: { name: string }) => c.name === 'neotool-assets');
  assert.ok(container, 'the Deployment has no container named neotool-assets');
});

describe('production manifests: names and placement', () => {
  test('every object lands in the production namespace', () => {
    const elsewhere = objects.filter((o) => o.metadata.namespace !== 'production').map((o) => `${o.kind}/${o.metadata.name}`);
    assert.deepEqual(elsewhere, []);
  });

  test('the Deployment runs the neotool-assets image of the operator\'s registry (not Docker Hub\'s) with the label app=neotool-assets on its pods', () => {
    assert.match(String(container.image), /^[a-z0-9.-]+\.[a-z]+(:\d+)?\/neotool-assets:[\w.-]+$/, 'the overlay names the registry the image was pushed to');
    assert.equal(deployment.metadata.labels?.app, 'neotool-assets');
    assert.equal(deployment.spec.template.metadata.labels.app, 'neotool-assets');
    assert.ok(selects(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels), 'the Deployment selector does not pick its own pods');
  });

  test('the ClusterIP Service neotool-assets sends port 8083 to the service port of the pods', () => {
    const service = findObject(objects, 'Service', 'neotool-assets');
    assert.equal(service.spec.type, 'ClusterIP');
    assert.ok(selects(service.spec.selector, deployment.spec.template.metadata.labels), 'the Service selects no pod of the Deployment');
    const [port] = service.spec.ports;
    assert.equal(port.port, 8083);
    assert.equal(portNumber(port.targetPort), Number(defaultOf('PORT')));
  });

  test('Prometheus is pointed at /metrics on the service port', () => {
    const annotations = deployment.spec.template.metadata.annotations ?? {};
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    assert.equal(annotations['prometheus.io/path'], '/metrics');
    assert.equal(Number(annotations['prometheus.io/port']), portNumber('http'));
  });

  test('the container listens where the service does: the PORT default, unless the manifests set PORT', () => {
    const port = containerEnvironment().get('PORT')?.value ?? defaultOf('PORT');
    assert.deepEqual(container.ports.map((p: { containerPort: number }) => p.containerPort), [Number(port)]);
  });
});

describe('production manifests: configuration', () => {
  test('the container is only given variables the service knows', () => {
    assert.deepEqual(unknownEnvVars(containerEnvironment().keys()), []);
  });

  test('every required setting and a database are provided', () => {
    assert.deepEqual(missingRequiredEnvVars(containerEnvironment().keys()), []);
  });

  test('the ExternalSecret assets-storage-config maps exactly the five Vault properties of secret/assets', () => {
    const external = findObject(objects, 'ExternalSecret', 'assets-storage-config');
    assert.equal(external.apiVersion, 'external-secrets.io/v1');
    assert.deepEqual(external.spec.secretStoreRef, { kind: 'ClusterSecretStore', name: 'vault-backend' });
    assert.equal(external.spec.target.name, 'assets-storage-config');
    const mapped = Object.fromEntries(external.spec.data.map((d: any) => [d.secretKey, d.remoteRef.property]));
    assert.deepEqual(mapped, VAULT_PROPERTIES);
    assert.deepEqual([...new Set(external.spec.data.map((d: any) => d.remoteRef.key))], ['secret/assets']);
  });

  test('External Secrets resources use external-secrets.io/v1, the only version External Secrets Operator serves since v0.17', () => {
    const esoKinds = new Set(['ExternalSecret', 'ClusterExternalSecret', 'SecretStore', 'ClusterSecretStore', 'PushSecret']);
    const isEso = (o: K8sObject) => esoKinds.has(o.kind) || String(o.apiVersion).startsWith('external-secrets.io/');
    const rendered = objects.filter(isEso);
    assert.ok(rendered.some((o) => o.kind === 'ExternalSecret'), 'the rendered manifests have no ExternalSecret');
    // Every manifest file under deploy/ too, also one the overlay does not (yet) include.
    const files = readdirSync('deploy', { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f));
    const inFiles = files.flatMap((f) =>
      parseAllDocuments(readFileSync(path.join('deploy', f), 'utf8'))
        .map((doc) => doc.toJS() as K8sObject | null)
        .filter((o): o is K8sObject => o !== null && typeof o === 'object' && isEso(o))
        .map((o) => ({ ...o, metadata: { ...o.metadata, name: `${o.metadata?.name} (deploy/${f})` } })),
    );
    const stale = [...rendered, ...inFiles].filter((o) => o.apiVersion !== 'external-secrets.io/v1').map((o) => `${o.kind}/${o.metadata.name}: ${o.apiVersion}`);
    assert.deepEqual(stale, []);
  });

  test('the Deployment takes the whole ExternalSecret target with envFrom', () => {
    const secretRefs = container.envFrom.filter((f: any) => f.secretRef).map((f: any) => f.secretRef.name);
    assert.deepEqual(secretRefs, ['assets-storage-config']);
  });

  test('PostgreSQL credentials come from the Secret postgres-credentials, under the variable names', () => {
    const refs = (container.env as any[]).filter((e) => e.valueFrom?.secretKeyRef?.name === 'postgres-credentials');
    assert.deepEqual(refs.map((e) => e.name).sort(), ['POSTGRES_DB', 'POSTGRES_HOST', 'POSTGRES_PASSWORD', 'POSTGRES_PORT', 'POSTGRES_USER']);
    for (const entry of refs) assert.equal(entry.valueFrom.secretKeyRef.key, entry.name);
    const required = refs.filter((e) => !e.valueFrom.secretKeyRef.optional).map((e) => e.name).sort();
    assert.deepEqual(required, ['POSTGRES_HOST', 'POSTGRES_PASSWORD'], 'only the settings without a default may stop the pod from starting');
  });

  test('secret settings never come from a ConfigMap or a plain value', () => {
    const exposed = [...containerEnvironment()].filter(([name, { source }]) => isSecretEnvVar(name) && !source.startsWith('Secret')).map(([name]) => name);
    assert.deepEqual(exposed, []);
  });

  test('the ConfigMap holds the R2 settings of the runbook', () => {
    const env = containerEnvironment();
    const configMapValue = (name: string) => (env.get(name)?.source === 'ConfigMap' ? env.get(name)?.value : undefined);
    assert.deepEqual(
      Object.fromEntries(['STORAGE_PORT', 'STORAGE_USE_HTTPS', 'STORAGE_REGION', 'STORAGE_FORCE_PATH_STYLE', 'STORAGE_UPLOAD_TTL_SECONDS'].map((n) => [n, configMapValue(n)])),
      { STORAGE_PORT: '443', STORAGE_USE_HTTPS: 'true', STORAGE_REGION: 'auto', STORAGE_FORCE_PATH_STYLE: 'false', STORAGE_UPLOAD_TTL_SECONDS: '900' },
    );
    assert.equal(configMapValue('STORAGE_PUBLIC_BUCKET'), 'neotool-assets-public');
    assert.equal(configMapValue('STORAGE_PRIVATE_BUCKET'), 'neotool-assets-private');
  });

  test('the service accepts the environment the manifests build, once Vault and postgres-credentials are filled in', () => {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, { value }] of containerEnvironment()) env[name] = value ?? EXAMPLE_SECRET_VALUES[name];
    const config = loadConfig(env);
    assert.equal(config.storage.useHttps, true);
    assert.equal(config.storage.publicBaseUrl, EXAMPLE_SECRET_VALUES.STORAGE_PUBLIC_BASE_PATH);
  });

  test('tokens are scoped to this service: the manifests set JWT_ISSUER and JWT_AUDIENCE, and the service requires them', () => {
    const env = containerEnvironment();
    for (const name of ['JWT_ISSUER', 'JWT_AUDIENCE']) assert.ok(env.get(name)?.value, `${name} is not set by the manifests`);
    const config = loadConfig(Object.fromEntries([...env].map(([name, { value }]) => [name, value ?? EXAMPLE_SECRET_VALUES[name]])));
    assert.deepEqual({ issuer: config.jwt.issuer, audience: config.jwt.audience }, { issuer: env.get('JWT_ISSUER')?.value, audience: env.get('JWT_AUDIENCE')?.value });
  });

  test('ASSET_CONFIG_PATH names a file of the mounted namespaces ConfigMap, and it is the shipped namespaces file', () => {
    const configPath = containerEnvironment().get('ASSET_CONFIG_PATH')?.value;
    assert.ok(configPath, 'ASSET_CONFIG_PATH is not set');
    const mount = (container.volumeMounts as { name: string; mountPath: string }[]).find((m) => configPath.startsWith(`${m.mountPath}/`));
    assert.ok(mount, `no volume is mounted where ASSET_CONFIG_PATH (${configPath}) points`);
    const volume = (pod.volumes as any[]).find((v) => v.name === mount.name);
    const file = configMapNamed(volume.configMap.name).data?.[configPath.slice(mount.mountPath.length + 1)];
    assert.ok(file, `the ConfigMap mounted at ${mount.mountPath} has no ${configPath}`);
    assert.doesNotThrow(() => parseNamespaces(file, configPath));
    assert.deepEqual(parse(file), parse(readFileSync('config/namespaces.yaml', 'utf8')), 'copy config/namespaces.yaml to deploy/kubernetes/base/namespaces.yaml');
  });
});

describe('production manifests: probes', () => {
  const probe = (kind: 'startupProbe' | 'livenessProbe' | 'readinessProbe') => container[kind]?.httpGet as { path: string; port: number | string };

  test('liveness and startup ask /health/live, readiness asks /health/ready, all on the service port', () => {
    assert.equal(probe('startupProbe').path, HEALTH_ROUTES.live);
    assert.equal(probe('livenessProbe').path, HEALTH_ROUTES.live);
    assert.equal(probe('readinessProbe').path, HEALTH_ROUTES.ready);
    for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) assert.equal(portNumber(probe(kind).port), Number(defaultOf('PORT')));
  });

  test('the probed paths answer on the service, and liveness stays up while the database is down', async () => {
    const app = Fastify();
    const down = async () => {
      throw new Error('database down');
    };
    registerHealthRoutes(app, { database: down, storage: async () => undefined, issuerKeys: async () => undefined });
    const status = async (path: string) => (await app.inject({ method: 'GET', url: path })).statusCode;
    assert.equal(await status(probe('livenessProbe').path), 200);
    assert.equal(await status(probe('startupProbe').path), 200);
    assert.equal(await status(probe('readinessProbe').path), 503);
    await app.close();
  });
});

describe('production manifests: security and availability', () => {
  test('the pod runs as a non-root user under the runtime default seccomp profile', () => {
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.securityContext.runAsUser > 0, 'runAsUser must be a non-zero uid');
    const imageUser = lastArgs(readDockerfile('Dockerfile').at(-1)!, 'USER').split(':')[0];
    assert.equal(String(pod.securityContext.runAsUser), imageUser, "runAsUser is not the image's user");
    assert.equal(pod.securityContext.seccompProfile?.type, 'RuntimeDefault');
    assert.equal(pod.automountServiceAccountToken, false);
  });

  test('the container cannot escalate, has no capabilities and a read-only root filesystem with an emptyDir /tmp', () => {
    const security = container.securityContext;
    assert.equal(security.allowPrivilegeEscalation, false);
    assert.equal(security.readOnlyRootFilesystem, true);
    assert.deepEqual(security.capabilities.drop, ['ALL']);
    const tmp = (container.volumeMounts as { name: string; mountPath: string }[]).find((m) => m.mountPath === '/tmp');
    assert.ok(tmp, '/tmp is not mounted');
    assert.ok((pod.volumes as any[]).find((v) => v.name === tmp.name)?.emptyDir, '/tmp is not an emptyDir');
  });

  test('the container has resource requests and limits', () => {
    for (const bound of ['requests', 'limits']) {
      assert.ok(container.resources?.[bound]?.cpu, `no cpu ${bound}`);
      assert.ok(container.resources?.[bound]?.memory, `no memory ${bound}`);
    }
  });

  test('a rolling update never takes the ready pods below the desired count', () => {
    const { type, rollingUpdate } = deployment.spec.strategy;
    assert.equal(type, 'RollingUpdate');
    assert.ok([0, '0', '0%'].includes(rollingUpdate.maxUnavailable), `maxUnavailable is ${rollingUpdate.maxUnavailable}`);
    assert.ok(parseInt(String(rollingUpdate.maxSurge), 10) >= 1, 'maxSurge must let at least one new pod start');
  });

  test('a stopping pod is given the preStop pause plus the service\'s own shutdown timeout before it is killed', () => {
    const pause = Number(container.lifecycle?.preStop?.exec?.command?.at(-1) ?? 0);
    const shutdownSeconds = Number(containerEnvironment().get('SHUTDOWN_TIMEOUT_MS')?.value ?? defaultOf('SHUTDOWN_TIMEOUT_MS') ?? 0) / 1000;
    assert.ok(pause > 0, 'no preStop pause: requests routed during endpoint removal would be refused');
    assert.ok(
      pod.terminationGracePeriodSeconds > pause + shutdownSeconds,
      `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} does not cover a ${pause} s preStop and a ${shutdownSeconds} s shutdown`,
    );
  });

  test('the autoscaler (autoscaling/v2) scales the Deployment and keeps at least two pods', () => {
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'neotool-assets');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'neotool-assets' });
    assert.ok(hpa.spec.minReplicas >= 2);
    assert.equal(deployment.spec.replicas, undefined, 'the autoscaler owns the replica count; a fixed one would be reset on every apply');
  });

  test('the disruption budget covers the pods and leaves at least one running', () => {
    const pdb = findObject(objects, 'PodDisruptionBudget', 'neotool-assets');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.ok(selects(pdb.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'neotool-assets');
    assert.ok(pdb.spec.maxUnavailable < hpa.spec.minReplicas || pdb.spec.minAvailable >= 1);
  });

  test('the network policy lets in the service port and lets out DNS, PostgreSQL and the storage port', () => {
    const policy = findObject(objects, 'NetworkPolicy', 'neotool-assets');
    assert.ok(selects(policy.spec.podSelector.matchLabels, deployment.spec.template.metadata.labels));
    assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
    const ports = (rules: any[]) => rules.flatMap((r) => r.ports ?? []).map((p: any) => `${p.port}/${p.protocol ?? 'TCP'}`);
    assert.deepEqual(ports(policy.spec.ingress), [`${defaultOf('PORT')}/TCP`]);
    const storagePort = containerEnvironment().get('STORAGE_PORT')?.value;
    for (const needed of ['53/UDP', `${defaultOf('POSTGRES_PORT')}/TCP`, `${storagePort}/TCP`]) assert.ok(ports(policy.spec.egress).includes(needed), `egress does not allow ${needed}`);
  });
});
