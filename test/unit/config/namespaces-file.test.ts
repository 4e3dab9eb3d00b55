import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadNamespaces, parseNamespaces } from '../../../src/config/namespaces-file.js';

const SHIPPED = fileURLToPath(new URL('../../../config/namespaces.yaml', import.meta.url));
const TWO_MIB = 2 * 1024 * 1024;

const VALID_DEFAULT = `
  default:
    visibility: PRIVATE
    keyTemplate: "{namespace}/{ownerId}/{assetId}"
    maxSizeBytes: 100
    allowedMimeTypes: [image/png]`;

describe('the shipped config/namespaces.yaml', () => {
  test('declares exactly user-profiles, group-assets, attachments and default', async () => {
    const catalog = await loadNamespaces(SHIPPED);
    assert.deepEqual(catalog.list().map((ns) => ns.name).sort(), ['attachments', 'default', 'group-assets', 'user-profiles']);
  });

  test('makes user-profiles PRIVATE images of at most 2 MiB', async () => {
    const ns = (await loadNamespaces(SHIPPED)).resolve('user-profiles');
    assert.equal(ns.visibility, 'PRIVATE');
    assert.equal(ns.maxSizeBytes, TWO_MIB);
    assert.ok(ns.allowedMimeTypes.length > 0 && ns.allowedMimeTypes.every((m) => m.startsWith('image/')));
    assert.ok(ns.allowedMimeTypes.includes('image/jpeg') && ns.allowedMimeTypes.includes('image/png'));
    assert.ok(!ns.allowedMimeTypes.includes('image/svg+xml'), 'SVG can carry scripts; private profiles do not need it');
  });

  test('makes group-assets PUBLIC images of at most 2 MiB, SVG included', async () => {
    const ns = (await loadNamespaces(SHIPPED)).resolve('group-assets');
    assert.equal(ns.visibility, 'PUBLIC');
    assert.equal(ns.maxSizeBytes, TWO_MIB);
    assert.ok(ns.allowedMimeTypes.includes('image/svg+xml'));
    assert.ok(ns.allowedMimeTypes.every((m) => m.startsWith('image/')));
  });

  test('makes attachments PRIVATE, 2 MiB, with images, PDF, Office documents and CSV', async () => {
    const ns = (await loadNamespaces(SHIPPED)).resolve('attachments');
    assert.equal(ns.visibility, 'PRIVATE');
    assert.equal(ns.maxSizeBytes, TWO_MIB);
    for (const mime of [
      'image/png',
      'application/pdf',
      'text/csv',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ]) {
      assert.ok(ns.allowedMimeTypes.includes(mime), mime);
    }
  });

  test('makes default PRIVATE with JPEG and PNG only, and uses it for unknown names', async () => {
    const catalog = await loadNamespaces(SHIPPED);
    const ns = catalog.resolve('default');
    assert.equal(ns.visibility, 'PRIVATE');
    assert.deepEqual([...ns.allowedMimeTypes].sort(), ['image/jpeg', 'image/png']);
    assert.equal(catalog.resolve('something-else').name, 'default');
  });

  test('uses templates that contain {assetId} in every namespace', async () => {
    for (const ns of (await loadNamespaces(SHIPPED)).list()) assert.match(ns.keyTemplate, /\{assetId\}/, ns.name);
  });
});

describe('parseNamespaces', () => {
  test('names the namespace and field whose keyTemplate is unsafe', () => {
    const text = `namespaces:${VALID_DEFAULT}
  evil:
    visibility: PUBLIC
    keyTemplate: "../{assetId}"
    maxSizeBytes: 100
    allowedMimeTypes: [image/png]`;
    assert.throws(() => parseNamespaces(text, 'ns.yaml'), /Namespaces file "ns.yaml" is invalid at namespaces\.evil\.keyTemplate: .*not a safe object key/);
  });

  test('names the namespace and field whose keyTemplate lacks {assetId}', () => {
    const text = `namespaces:${VALID_DEFAULT}
  shared:
    visibility: PUBLIC
    keyTemplate: "{namespace}/logo"
    maxSizeBytes: 100
    allowedMimeTypes: [image/png]`;
    assert.throws(() => parseNamespaces(text, 'ns.yaml'), {
      message: 'Namespaces file "ns.yaml" is invalid at namespaces.shared.keyTemplate: keyTemplate "{namespace}/logo" must contain {assetId} so that every key is unique.',
    });
  });

  test('names the namespace and field of a schema error', () => {
    const text = `namespaces:${VALID_DEFAULT}
  photos:
    visibility: SECRET
    keyTemplate: "{assetId}"
    maxSizeBytes: 100
    allowedMimeTypes: [image/png]`;
    assert.throws(() => parseNamespaces(text, 'ns.yaml'), /"ns.yaml" is invalid at namespaces\.photos\.visibility/);
  });

  test('rejects an out-of-range upload TTL, a negative size limit or an empty MIME list, naming the namespace', () => {
    const bad = (field: string) => `namespaces:${VALID_DEFAULT}
  photos:
    visibility: PRIVATE
    keyTemplate: "{assetId}"
    maxSizeBytes: 100
    allowedMimeTypes: [image/png]
    ${field}`;
    assert.throws(() => parseNamespaces(bad('uploadTtlSeconds: 0'), 'f'), /namespaces\.photos\.uploadTtlSeconds/);
    const noMimes = `namespaces:${VALID_DEFAULT}
  photos:
    visibility: PRIVATE
    keyTemplate: "{assetId}"
    maxSizeBytes: -1
    allowedMimeTypes: []`;
    assert.throws(() => parseNamespaces(noMimes, 'f'), /namespaces\.photos\.(maxSizeBytes|allowedMimeTypes)/);
  });

  test('lists every problem of the file at once, each at its namespace and field', () => {
    const text = `namespaces:${VALID_DEFAULT}
  photos:
    visibility: PRIVATE
    keyTemplate: "{assetId}"
    maxSizeBytes: -1
    allowedMimeTypes: [image/png]
  docs:
    visibility: PRIVATE
    keyTemplate: "docs/{ownerId}"
    maxSizeBytes: 100
    allowedMimeTypes: []
rateLimit:
  uploadsPerHour: -1`;
    assert.throws(() => parseNamespaces(text, 'ns.yaml'), (error: Error) => {
      const [head, ...lines] = error.message.split('\n');
      assert.equal(head, 'Namespaces file "ns.yaml" is invalid in 4 places:');
      assert.deepEqual(lines.map((l) => /^ {2}- at ([\w.]+): /.exec(l)?.[1]), [
        'namespaces.photos.maxSizeBytes',
        'namespaces.docs.keyTemplate',
        'namespaces.docs.allowedMimeTypes',
        'rateLimit.uploadsPerHour',
      ]);
      assert.match(lines[1] ?? '', /must contain \{assetId\}/);
      return true;
    });
  });

  test('requires a default namespace', () => {
    const text = `namespaces:
  photos:
    visibility: PRIVATE
    keyTemplate: "{assetId}"
    maxSizeBytes: 100
    allowedMimeTypes: [image/png]`;
    assert.throws(() => parseNamespaces(text, 'f'), /must declare a "default" namespace/);
  });

  test('refuses a namespace whose name no request could use, saying how to rename it', () => {
    for (const name of ['Photos', 'my photos', '-photos']) {
      const text = `namespaces:${VALID_DEFAULT}
  "${name}":
    visibility: PRIVATE
    keyTemplate: "{assetId}"
    maxSizeBytes: 100
    allowedMimeTypes: [image/png]`;
      assert.throws(() => parseNamespaces(text, 'f'), { message: `Namespaces file "f": Namespace "${name}" can never be asked for: rename it to 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit.` });
    }
  });

  test('names the file when its YAML syntax is broken', () => {
    assert.throws(() => parseNamespaces('namespaces: [', 'ns.yaml'), /ns\.yaml/);
  });

  test('says which file could not be read', async () => {
    await assert.rejects(loadNamespaces('/nonexistent/namespaces.yaml'), /Cannot read the namespaces file "\/nonexistent\/namespaces.yaml" \(ASSET_CONFIG_PATH\)/);
  });
});
