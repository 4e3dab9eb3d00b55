import type { Asset, AssetsClient } from '../../packages/client/src/index.js';
import { formatBytes, h } from './dom.js';
import { messageFor } from './messages.js';
import type { NamespaceInfo } from './session.js';

export interface AssetTableDeps {
  client: AssetsClient;
  namespaces: NamespaceInfo[];
  /** The signed-in subject: only their own assets get a delete button. */
  subject: () => string | null;
}

const PAGE_SIZE = 20;

/** The caller's assets, newest first, with thumbnails, links and delete; pages load on demand. */
export function assetTable({ client, namespaces, subject }: AssetTableDeps): { element: HTMLElement; refresh(): Promise<void> } {
  const filter = h('select', { id: 'filter-namespace', onchange: () => void refresh() }, h('option', { value: '' }, 'all namespaces'), ...namespaces.map((ns) => h('option', { value: ns.name }, ns.name)));
  const includePublic = h('input', { type: 'checkbox', id: 'include-public', onchange: () => void refresh() });
  const body = h('tbody');
  const status = h('p', { id: 'library-status', role: 'status' });
  const more = h('button', { type: 'button', id: 'load-more', hidden: true, onclick: () => void load(cursor) }, 'Load more');
  let cursor: string | null = null;

  // Uploads finishing together refresh together: only the newest refresh may fill the table.
  let generation = 0;

  async function refresh(): Promise<void> {
    await load(null, ++generation);
  }

  async function load(after: string | null, loading = generation): Promise<void> {
    status.textContent = 'Loading…';
    status.classList.remove('error');
    try {
      const page = await client.list({ namespace: filter.value || undefined, includePublic: includePublic.checked, first: PAGE_SIZE, after });
      if (loading !== generation) return;
      if (after === null) body.replaceChildren();
      body.append(...page.assets.map(row));
      cursor = page.endCursor;
      more.hidden = !page.hasNextPage;
      status.textContent = body.children.length === 0 ? 'No assets yet: drop a file above.' : '';
    } catch (error) {
      if (loading !== generation) return;
      status.classList.add('error');
      status.textContent = messageFor(error);
    }
  }

  function row(asset: Asset): HTMLTableRowElement {
    const url = asset.publicUrl ?? asset.downloadUrl;
    const preview = url && asset.mimeType.startsWith('image/') ? h('img', { src: url, alt: asset.originalFilename, loading: 'lazy' }) : h('span', { class: 'type' }, asset.mimeType.split('/')[1] ?? '?');
    const tr = h(
      'tr',
      { 'data-asset-id': asset.id, 'data-status': asset.status },
      h('td', { class: 'preview' }, preview),
      h('td', { class: 'name' }, asset.originalFilename, asset.ownerId !== subject() && h('small', {}, ` by ${asset.ownerId}`)),
      h('td', {}, asset.namespace),
      h('td', {}, h('span', { class: `status ${asset.status.toLowerCase()}`, title: asset.failureReason ?? '' }, asset.status)),
      h('td', { class: 'size' }, formatBytes(asset.sizeBytes)),
      h('td', {}, new Date(asset.createdAt).toLocaleString()),
      h('td', { class: 'actions' }, url && h('a', { class: 'open', href: url, target: '_blank', rel: 'noopener' }, 'Open'), url && copyButton(url), asset.ownerId === subject() && deleteButton(asset, () => tr.remove())),
    );
    return tr;
  }

  function deleteButton(asset: Asset, onDeleted: () => void): HTMLButtonElement {
    // Two clicks rather than a confirm() dialog: nothing modal, and a slip of the mouse deletes nothing.
    const button = h('button', { type: 'button', class: 'delete' }, 'Delete');
    button.addEventListener('click', async () => {
      if (!button.classList.contains('armed')) {
        button.classList.add('armed');
        button.textContent = 'Really delete?';
        setTimeout(() => button.classList.contains('armed') && disarm(), 4000);
        return;
      }
      button.disabled = true;
      try {
        await client.delete(asset.id);
        onDeleted();
        status.textContent = `Deleted ${asset.originalFilename}.`;
      } catch (error) {
        status.textContent = messageFor(error);
        disarm();
      }
    });
    function disarm() {
      button.classList.remove('armed');
      button.disabled = false;
      button.textContent = 'Delete';
    }
    return button;
  }

  function copyButton(url: string): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'copy' }, 'Copy link');
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(url).then(
        () => (button.textContent = 'Copied'),
        // No clipboard (a plain-http page, a denied permission): show the link to copy by hand.
        () => (status.textContent = url),
      );
    });
    return button;
  }

  const table = h('table', { id: 'assets' }, h('thead', {}, h('tr', {}, ...['', 'Name', 'Namespace', 'Status', 'Size', 'Created', ''].map((title) => h('th', {}, title)))), body);
  const toolbar = h('div', { class: 'toolbar' }, filter, h('label', {}, includePublic, " others' public assets"), h('button', { type: 'button', onclick: () => void refresh() }, 'Refresh'));
  return { element: h('div', {}, h('h2', {}, 'Assets'), toolbar, table, status, more), refresh };
}
