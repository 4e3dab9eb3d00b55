import { AssetsClient } from '../../packages/client/src/index.js';
import type { ConsoleSettings } from '../../src/http/console-route.js';

export type NamespaceInfo = ConsoleSettings['namespaces'][number];

const STORAGE_KEY = 'neotool-assets.token';

export async function loadSettings(): Promise<ConsoleSettings> {
  const response = await fetch('settings.json');
  if (!response.ok) throw new Error(`settings.json answered HTTP ${response.status}`);
  return (await response.json()) as ConsoleSettings;
}

/**
 * The token the user pasted (kept for this tab only, in sessionStorage) or the dev token, and a
 * client that always sends the current one.
 */
export class Session {
  private token: string;
  readonly client: AssetsClient;

  constructor(devToken: string | undefined) {
    this.token = sessionStorage.getItem(STORAGE_KEY) ?? devToken ?? '';
    this.client = new AssetsClient({ url: location.origin, token: () => this.token });
  }

  get current(): string {
    return this.token;
  }

  use(token: string): void {
    this.token = token.trim();
    sessionStorage.setItem(STORAGE_KEY, this.token);
  }

  /** Who the token says the user is; read without verifying (the service verifies every call). */
  subject(): string | null {
    return claims(this.token)?.sub ?? null;
  }

  permissions(): string[] {
    return claims(this.token)?.permissions ?? [];
  }
}

function claims(token: string): { sub?: string; permissions?: string[] } | null {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string; permissions?: string[] };
  } catch {
    return null;
  }
}
