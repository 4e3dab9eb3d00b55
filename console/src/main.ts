import { assetTable } from './asset-table.js';
import { messageFor } from './messages.js';
import { loadSettings, Session } from './session.js';
import { uploadPanel } from './upload-panel.js';

/** Wires the page: settings and token first, then the upload panel and the asset table. */
async function start(): Promise<void> {
  const identity = document.querySelector<HTMLElement>('#identity')!;
  try {
    const settings = await loadSettings();
    const session = new Session(settings.devToken);
    const tokenField = document.querySelector<HTMLInputElement>('#token')!;
    tokenField.value = session.current;
    const library = assetTable({ client: session.client, namespaces: settings.namespaces, subject: () => session.subject() });
    const showIdentity = () => {
      const subject = session.subject();
      if (subject) identity.textContent = `${subject} · ${session.permissions().map((p) => p.split(':').pop()).join(', ')}`;
      else identity.textContent = session.current ? 'not a JWT with a subject: paste the whole token' : 'no token';
    };
    document.querySelector('#token-form')!.addEventListener('submit', (event) => {
      event.preventDefault();
      session.use(tokenField.value);
      showIdentity();
      void library.refresh();
    });
    document.querySelector('#upload')!.append(uploadPanel({ client: session.client, namespaces: settings.namespaces, onSettled: () => void library.refresh() }));
    document.querySelector('#library')!.append(library.element);
    showIdentity();
    if (session.current) await library.refresh();
  } catch (error) {
    identity.textContent = `The console could not start: ${messageFor(error)}`;
  }
}

void start();
