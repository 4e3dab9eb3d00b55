import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (scripts/infra/ensure-chromium.sh installs it): Playwright's own browsers cannot be downloaded here. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const ARTIFACTS = path.resolve('test-artifacts/e2e');

export interface RunningBrowser {
  context: BrowserContext;
  /** Everything the pages printed to their console or threw, for failure messages. */
  logs: string[];
  newPage(): Promise<Page>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** Headless chromium with a throw-away profile. */
export async function launchBrowser(): Promise<RunningBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/infra/ensure-chromium.sh (npm test does).`);
  const profile = await mkdtemp(path.join(tmpdir(), 'e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 800 } });
  const logs: string[] = [];
  await mkdir(ARTIFACTS, { recursive: true });
  return {
    context,
    logs,
    async newPage() {
      const page = await context.newPage();
      page.on('console', (message) => logs.push(`${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => logs.push(`pageerror: ${error.message}`));
      return page;
    },
    async screenshot(page, name) {
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
