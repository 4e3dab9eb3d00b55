import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object; the checks read it loosely, the way the API server would accept it. */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

const KUBECTL_MISSING =
  'kubectl is not installed, and the Kubernetes manifest checks render deploy/kubernetes with `kubectl kustomize`. ' +
  'Install it with scripts/infra/ensure-tools.sh (Debian package kubernetes-client).';

/** `kubectl kustomize DIR`, offline, parsed into objects. */
export function renderKustomization(dir: string): K8sObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(KUBECTL_MISSING);
    throw new Error(`kubectl kustomize ${dir} failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`);
  }
  return parseAllDocuments(output)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null);
}

export function findObject(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`the rendered manifests have no ${kind}${name ? ` named "${name}"` : ''}`);
  return found;
}

/** Whether a label selector (matchLabels, or a Service's plain map) picks pods with these labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels[key] === value);
}
