import type { AssetsClient } from '../../packages/client/src/index.js';
import { formatBytes, h } from './dom.js';
import { messageFor } from './messages.js';
import type { NamespaceInfo } from './session.js';

export interface UploadPanelDeps {
  client: AssetsClient;
  namespaces: NamespaceInfo[];
  /** Called after each file, whether it became READY or failed (a FAILED asset is listed too). */
  onSettled: () => void;
}

/** Namespace picker, drop zone (or file picker) and one progress row per file. */
export function uploadPanel({ client, namespaces, onSettled }: UploadPanelDeps): HTMLElement {
  const picker = h('select', { id: 'namespace', name: 'namespace', onchange: () => describe() }, ...namespaces.map((ns) => h('option', { value: ns.name }, `${ns.name} (${ns.visibility.toLowerCase()})`)));
  const rules = h('p', { class: 'hint', id: 'namespace-rules' });
  const fileInput = h('input', { type: 'file', multiple: true, hidden: true, onchange: () => uploadAll(fileInput.files) });
  const rows = h('ul', { id: 'uploads' });
  const dropZone = h(
    'div',
    {
      id: 'dropzone',
      tabindex: 0,
      role: 'button',
      onclick: () => fileInput.click(),
      onkeydown: (event) => (event as KeyboardEvent).key === 'Enter' && fileInput.click(),
      ondragover: (event) => {
        event.preventDefault();
        dropZone.classList.add('over');
      },
      ondragleave: () => dropZone.classList.remove('over'),
      ondrop: (event) => {
        event.preventDefault();
        dropZone.classList.remove('over');
        uploadAll((event as DragEvent).dataTransfer?.files ?? null);
      },
    },
    h('strong', {}, 'Drop files here'),
    ' or click to choose',
  );

  function describe(): void {
    const ns = namespaces.find((n) => n.name === picker.value);
    rules.textContent = ns ? `Accepts ${ns.allowedMimeTypes.join(', ')}; up to ${formatBytes(ns.maxSizeBytes)}.` : '';
  }

  function uploadAll(files: FileList | null): void {
    for (const file of Array.from(files ?? [])) void uploadOne(file, picker.value);
    fileInput.value = '';
  }

  async function uploadOne(file: File, namespace: string): Promise<void> {
    const progress = h('progress', { max: file.size, value: 0 });
    const state = h('span', { class: 'state' }, 'Preparing…');
    const row = h('li', { class: 'upload', 'data-file': file.name }, h('span', { class: 'name' }, file.name), h('span', { class: 'size' }, formatBytes(file.size)), progress, state);
    rows.prepend(row);
    try {
      await client.upload(file, {
        namespace,
        // A type the browser cannot name still goes to the service, whose refusal says what is allowed.
        mimeType: file.type || 'application/octet-stream',
        onProgress: ({ loaded, total }) => {
          progress.value = loaded;
          state.textContent = loaded < total ? `Uploading ${Math.round((100 * loaded) / total)}%` : 'Verifying…';
        },
      });
      progress.value = file.size;
      row.classList.add('ready');
      state.textContent = 'Ready';
    } catch (error) {
      row.classList.add('failed');
      state.textContent = messageFor(error);
    }
    onSettled();
  }

  describe();
  return h('div', {}, h('h2', {}, 'Upload'), h('label', { for: 'namespace' }, 'Namespace '), picker, rules, dropZone, fileInput, rows);
}
