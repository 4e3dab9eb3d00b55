import type { Locator, Page } from 'playwright-core';

export interface DroppedFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

/** The web console as a user sees it: the token form, the namespace picker, the drop zone, the uploads and the table. */
export class ConsolePage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<this> {
    await this.page.goto(`${url}/console/`);
    await this.page.locator('#namespace option').first().waitFor({ state: 'attached' });
    return this;
  }

  async useToken(token: string): Promise<void> {
    await this.page.fill('#token', token);
    await this.page.click('#token-form button[type=submit]');
  }

  async pickNamespace(name: string): Promise<void> {
    await this.page.selectOption('#namespace', name);
  }

  /**
   * Drops files on the drop zone as a user's drag and drop does: a DataTransfer holding Files built
   * in the page, carried by dragover and drop events.
   */
  async drop(...files: DroppedFile[]): Promise<void> {
    const serialised = files.map((f) => ({ name: f.name, type: f.type, base64: Buffer.from(f.bytes).toString('base64') }));
    await this.page.evaluate((list) => {
      const transfer = new DataTransfer();
      for (const f of list) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      const zone = document.querySelector('#dropzone')!;
      for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, serialised);
  }

  /** From now on, remembers each state text every upload row shows: progress is too quick to poll. */
  async recordUploadStates(): Promise<void> {
    await this.page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      Object.assign(window, { uploadStates: seen });
      // Anonymous callbacks only: tsx would wrap a named one in a helper that does not exist in the page.
      new MutationObserver(() => {
        for (const row of document.querySelectorAll<HTMLElement>('#uploads li')) {
          const states = (seen[row.dataset.file!] ??= []);
          const text = row.querySelector('.state')!.textContent!;
          if (states.at(-1) !== text) states.push(text);
        }
      }).observe(document.querySelector('#uploads')!, { subtree: true, childList: true, characterData: true });
    });
  }

  async uploadStates(name: string): Promise<string[]> {
    return this.page.evaluate((file) => (window as unknown as { uploadStates: Record<string, string[]> }).uploadStates[file] ?? [], name);
  }

  /** The upload row of a file, once it finished one way or the other. */
  async finishedUpload(name: string): Promise<Locator> {
    const row = this.page.locator(`#uploads li[data-file="${name}"]`);
    await this.page.locator(`#uploads li[data-file="${name}"]:is(.ready, .failed)`).waitFor({ timeout: 30_000 });
    return row;
  }

  assetRow(assetName: string): Locator {
    return this.page.locator('#assets tbody tr', { has: this.page.locator('td.name', { hasText: assetName }) });
  }

  /** Waits until the row's thumbnail has really been loaded and decoded by the browser. */
  async thumbnailLoaded(row: Locator): Promise<{ width: number; height: number }> {
    const img = row.locator('td.preview img');
    await img.waitFor();
    await this.page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle(), { timeout: 15_000 });
    return img.evaluate((el) => ({ width: (el as HTMLImageElement).naturalWidth, height: (el as HTMLImageElement).naturalHeight }));
  }
}
