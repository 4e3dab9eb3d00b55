// The web console in a real browser (Debian's chromium through playwright-core) against the service
// on real PostgreSQL + Ceph: drag and drop uploads straight into Ceph (bucket CORS from `storage init`),
// thumbnails, links, delete, and the messages for rejected files. Screenshots go to test-artifacts/e2e/.
import assert from 'node:assert/strict';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { after, before, describe, test } from 'node:test';
import { AssetsClient } from '../../packages/client/src/index.js';
import { initStorage } from '../../src/operations/storage-init/storage-init.js';
import { loadStorageSettings, required } from '../../src/operations/settings.js';
import { GET } from '../support/operations.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { launchBrowser, type RunningBrowser } from './support/browser.js';
import { ConsolePage } from './support/console-page.js';
import { gradientPng } from './support/gradient-png.js';

const LOGO = gradientPng(96, 96);

describe('web console in chromium', () => {
  let svc: TestService;
  let browser: RunningBrowser;
  let console_: ConsolePage;

  before(async () => {
    svc = await startTestService({ ASSET_CONSOLE_ENABLED: 'true' });
    // Browsers PUT straight to Ceph, which enforces CORS: allow the console's origin, as an operator's `storage init` does.
    await initStorage(svc.s3, required(loadStorageSettings({ ...svc.env, ASSET_CORS_ALLOWED_ORIGINS: svc.url })));
    browser = await launchBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: svc.url });
    console_ = await new ConsolePage(await browser.newPage()).open(svc.url);
    await console_.useToken(await svc.token('e2e-user'));
  });
  after(async () => {
    await browser?.close();
    await svc?.stop();
  });

  /** The asset's row in the database, by the name it was uploaded with. */
  async function stored(filename: string): Promise<{ id: string; status: string; storage_bucket: string; storage_key: string } | undefined> {
    const { rows } = await svc.db.query('SELECT id, status, storage_bucket, storage_key FROM assets WHERE original_filename = $1', [filename]);
    return rows[0];
  }

  test('a PNG dropped on a PUBLIC namespace uploads with progress, becomes READY with its thumbnail, its link serves the same bytes, and delete removes it', async () => {
    await console_.pickNamespace('group-assets');
    await console_.recordUploadStates();
    await console_.drop({ name: 'logo.png', type: 'image/png', bytes: LOGO });

    const upload = await console_.finishedUpload('logo.png');
    assert.equal(await upload.locator('.state').textContent(), 'Ready', browser.logs.join('\n'));
    assert.equal(await upload.locator('progress').evaluate((p) => (p as HTMLProgressElement).value), LOGO.length);
    // "Verifying…" is shown only when XMLHttpRequest reported the whole body sent, before the confirm answered.
    const states = await console_.uploadStates('logo.png');
    assert.equal(states[0], 'Preparing…');
    assert.deepEqual(states.slice(-2), ['Verifying…', 'Ready'], states.join(' > '));
    const row = console_.assetRow('logo.png');
    assert.equal(await row.getAttribute('data-status'), 'READY');
    assert.deepEqual(await console_.thumbnailLoaded(row), { width: 96, height: 96 });
    await browser.screenshot(console_.page, 'console-public-upload');

    const link = (await row.locator('a.open').getAttribute('href'))!;
    await row.locator('button.copy').click();
    await row.locator('button.copy', { hasText: 'Copied' }).waitFor();
    assert.equal(await console_.page.evaluate(() => navigator.clipboard.readText()), link);
    const opened = await browser.newPage();
    const response = await opened.goto(link);
    assert.equal(response?.status(), 200);
    assert.deepEqual(await response!.body(), LOGO);
    await opened.close();

    const asset = (await stored('logo.png'))!;
    await row.locator('button.delete').click();
    await row.locator('button.delete.armed').click();
    await row.waitFor({ state: 'detached' });
    assert.deepEqual((await svc.gql(GET, { id: asset.id }, await svc.token('e2e-user'))).data, { asset: null });
    await assert.rejects(svc.s3.send(new HeadObjectCommand({ Bucket: asset.storage_bucket, Key: asset.storage_key })), { name: 'NotFound' });
  });

  test("a PRIVATE upload's thumbnail and link are presigned GETs that serve the same bytes", async () => {
    await console_.pickNamespace('user-profiles');
    await console_.drop({ name: 'me.png', type: 'image/png', bytes: LOGO });
    assert.equal(await (await console_.finishedUpload('me.png')).locator('.state').textContent(), 'Ready', browser.logs.join('\n'));

    const row = console_.assetRow('me.png');
    assert.deepEqual(await console_.thumbnailLoaded(row), { width: 96, height: 96 });
    const link = (await row.locator('a.open').getAttribute('href'))!;
    assert.match(link, /X-Amz-Signature=/);
    const response = await fetch(link);
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), LOGO);
  });

  test('rejected files show why, one row each: a forbidden type, a file too large, and bytes that are not the declared type (then listed as FAILED)', async () => {
    await console_.pickNamespace('user-profiles');
    await console_.drop(
      { name: 'tool.exe', type: 'application/x-msdownload', bytes: Buffer.from('MZ fake executable') },
      { name: 'huge.png', type: 'image/png', bytes: Buffer.alloc(2 * 1024 * 1024 + 1, 1) },
      { name: 'fake.png', type: 'image/png', bytes: Buffer.from('plain text pretending to be a picture') },
    );

    const state = async (name: string) => (await console_.finishedUpload(name)).locator('.state').textContent();
    assert.match((await state('tool.exe'))!, /^Rejected: MIME type "application\/x-msdownload" is not allowed in namespace "user-profiles"; allowed: image\/jpeg/);
    assert.match((await state('huge.png'))!, /^Rejected: File is 2097153 bytes; namespace "user-profiles" accepts at most 2097152 bytes/);
    assert.match((await state('fake.png'))!, /^Rejected after upload \(CONTENT_MISMATCH\): .*not of the declared mimeType/);
    for (const name of ['tool.exe', 'huge.png', 'fake.png']) {
      assert.equal(await console_.page.locator(`#uploads li[data-file="${name}"].failed`).count(), 1, `${name} is marked failed`);
    }
    assert.equal(await stored('tool.exe'), undefined);
    assert.equal((await stored('fake.png'))?.status, 'FAILED');
    await console_.page.locator('#assets tbody tr[data-status="FAILED"]', { hasText: 'fake.png' }).waitFor();
    await browser.screenshot(console_.page, 'console-rejected-files');
  });

  test("the table shows 20 assets and Load more the rest; other owners' PUBLIC assets appear when asked for, without a delete button", async () => {
    const pager = new AssetsClient({ url: svc.url, token: await svc.token('e2e-pager') });
    for (let i = 0; i < 22; i++) await pager.upload(Buffer.from(`note ${i}`), { namespace: 'attachments', filename: `note-${i}.txt`, mimeType: 'text/plain' });
    const other = new AssetsClient({ url: svc.url, token: await svc.token('e2e-other') });
    await other.upload(LOGO, { namespace: 'group-assets', filename: 'shared.png', mimeType: 'image/png' });

    const page = new ConsolePage(await browser.newPage());
    await page.open(svc.url);
    await page.useToken(await svc.token('e2e-pager'));
    const rows = page.page.locator('#assets tbody tr');
    await page.assetRow('note-21.txt').waitFor();
    assert.equal(await rows.count(), 20);
    await page.page.click('#load-more');
    await page.assetRow('note-0.txt').waitFor();
    assert.equal(await rows.count(), 22);
    assert.equal(await page.page.locator('#load-more').isHidden(), true);
    assert.equal(await page.assetRow('shared.png').count(), 0);

    await page.page.check('#include-public');
    const shared = page.assetRow('shared.png');
    await shared.waitFor();
    assert.match((await shared.locator('td.name').textContent())!, /by e2e-other/);
    assert.equal(await shared.locator('button.delete').count(), 0);
    assert.deepEqual(await page.thumbnailLoaded(shared), { width: 96, height: 96 });
    await page.page.close();
  });

  test("a token the service refuses is reported with the service's message, and nothing is listed", async () => {
    const page = new ConsolePage(await browser.newPage());
    await page.open(svc.url);
    await page.useToken('not-a-jwt');
    await page.page.locator('#library-status.error').waitFor();
    assert.match((await page.page.locator('#library-status').textContent())!, /^Your token was not accepted: /);
    assert.equal(await page.page.locator('#assets tbody tr').count(), 0);
    assert.equal(await page.page.locator('#identity').textContent(), 'not a JWT with a subject: paste the whole token', 'not taken for no token at all');
    await page.page.close();
  });
});

describe('serving the console', () => {
  test('is off unless ASSET_CONSOLE_ENABLED is set: /console and its settings are 404', async () => {
    const svc = await startTestService();
    try {
      assert.equal((await fetch(`${svc.url}/console/`)).status, 404);
      assert.equal((await fetch(`${svc.url}/console/settings.json`)).status, 404);
    } finally {
      await svc.stop();
    }
  });

  test('when enabled: /console redirects to the page (never cached; its hashed assets cached for good), whose settings list the namespaces and carry no token outside dev mode', async () => {
    const svc = await startTestService({ ASSET_CONSOLE_ENABLED: 'true' });
    try {
      const bare = await fetch(`${svc.url}/console`, { redirect: 'manual' });
      assert.equal(bare.status, 301);
      assert.equal(bare.headers.get('location'), '/console/');
      const page = await fetch(`${svc.url}/console/`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('cache-control'), 'no-cache');
      const html = await page.text();
      assert.match(html, /<title>neotool-assets console<\/title>/);
      const script = await fetch(new URL(/src="(\.\/assets\/[^"]+\.js)"/.exec(html)![1]!, `${svc.url}/console/`));
      assert.equal(script.status, 200);
      assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable', 'hashed assets are cached for good');
      const settings = (await (await fetch(`${svc.url}/console/settings.json`)).json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(settings), ['namespaces']);
      assert.deepEqual(
        (settings.namespaces as { name: string; visibility: string }[]).map((ns) => `${ns.name}:${ns.visibility}`).sort(),
        ['attachments:PRIVATE', 'default:PRIVATE', 'group-assets:PUBLIC', 'user-profiles:PRIVATE'],
      );
    } finally {
      await svc.stop();
    }
  });
});
