// `neotool-assets dev` serves the console with a dev token filled in: a developer opens it and drops a
// file, with nothing to configure (embedded PostgreSQL, the embedded S3 server, the dev token issuer).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, type RunningBrowser } from './support/browser.js';
import { ConsolePage } from './support/console-page.js';
import { startDevCommand, type RunningDevCommand } from './support/dev-command.js';
import { gradientPng } from './support/gradient-png.js';

describe('the console in dev mode', () => {
  let dev: RunningDevCommand;
  let browser: RunningBrowser;

  before(async () => {
    dev = await startDevCommand();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await dev?.stop();
  });

  test('opens with a dev token filled in and uploads a dropped PNG to READY with a thumbnail', async () => {
    const page = await new ConsolePage(await browser.newPage()).open(dev.url);
    await page.page.locator('#identity', { hasText: 'dev-user' }).waitFor();
    assert.notEqual(await page.page.inputValue('#token'), '');

    const png = gradientPng(64, 64);
    await page.pickNamespace('group-assets');
    await page.drop({ name: 'dev-logo.png', type: 'image/png', bytes: png });
    const upload = await page.finishedUpload('dev-logo.png');
    assert.equal(await upload.locator('.state').textContent(), 'Ready', `${browser.logs.join('\n')}\n${dev.output()}`);
    assert.deepEqual(await page.thumbnailLoaded(page.assetRow('dev-logo.png')), { width: 64, height: 64 });
    await browser.screenshot(page.page, 'dev-console');
  });

  test('settings.json carries a dev token signed for dev-user, and the namespaces to offer', async () => {
    const settings = (await (await fetch(`${dev.url}/console/settings.json`)).json()) as { devToken?: string; namespaces: { name: string }[] };
    const [, payload = ''] = (settings.devToken ?? '').split('.');
    assert.equal(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).sub, 'dev-user');
    assert.ok(settings.namespaces.some((ns) => ns.name === 'group-assets'));
  });

  test('settings.json gives no dev token to another site\'s page (dev mode allows every origin), only the namespaces', async () => {
    const otherSites: Record<string, string>[] = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site', origin: 'http://localhost:3000' }, { origin: 'null' }];
    for (const headers of otherSites) {
      const res = await fetch(`${dev.url}/console/settings.json`, { headers });
      const settings = (await res.json()) as { devToken?: string; namespaces: { name: string }[] };
      assert.equal(settings.devToken, undefined, JSON.stringify(headers));
      assert.ok(settings.namespaces.some((ns) => ns.name === 'group-assets'));
    }
    const ownPage = (await (await fetch(`${dev.url}/console/settings.json`, { headers: { 'sec-fetch-site': 'same-origin', origin: dev.url } })).json()) as { devToken?: string };
    assert.equal(typeof ownPage.devToken, 'string', 'the console\'s own page still gets it');
  });

  test('settings.json gives no dev token under a name that is not loopback: a site that rebinds its name to 127.0.0.1 sends it as Host', async () => {
    const port = new URL(dev.url).port;
    const rebound = await settingsWithHost(dev.url, `rebind.evil.example:${port}`, { 'sec-fetch-site': 'same-origin', origin: `http://rebind.evil.example:${port}` });
    assert.equal(rebound.devToken, undefined);
    assert.equal(typeof (await settingsWithHost(dev.url, `localhost:${port}`, { 'sec-fetch-site': 'same-origin' })).devToken, 'string', 'localhost still gets it');
  });
});

/** settings.json asked for with this Host header, which fetch() does not let a caller set. */
async function settingsWithHost(serviceUrl: string, host: string, headers: Record<string, string>): Promise<{ devToken?: string }> {
  const { statusCode, body } = await new Promise<{ statusCode?: number; body: string }>((resolve, reject) => {
    http
      .get(`${serviceUrl}/console/settings.json`, { headers: { ...headers, host } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ statusCode: res.statusCode, body: text }));
      })
      .on('error', reject);
  });
  assert.equal(statusCode, 200, body);
  return JSON.parse(body) as { devToken?: string };
}
