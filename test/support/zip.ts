import { crc32 } from 'node:zlib';

function le16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return b;
}

function le32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

/** A minimal ZIP writer: stored (uncompressed) entries in the given order, a central directory and its end record. */
export function zip(entries: [name: string, content: string | Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    // flags, method 0 (stored), time, date (1996-09-01), crc, compressed and real size, name length, extra length
    const fields = Buffer.concat([le16(0), le16(0), le16(0), le16(0x2121), le32(crc32(data)), le32(data.length), le32(data.length), le16(nameBytes.length), le16(0)]);
    const local = Buffer.concat([le32(0x04034b50), le16(20), fields, nameBytes, data]);
    centrals.push(Buffer.concat([le32(0x02014b50), le16(20), le16(20), fields, le16(0), le16(0), le16(0), le32(0), le32(offset), nameBytes]));
    locals.push(local);
    offset += local.length;
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.concat([le32(0x06054b50), le16(0), le16(0), le16(entries.length), le16(entries.length), le32(central.length), le32(offset), le16(0)]);
  return Buffer.concat([...locals, central, end]);
}

const WORD_MAIN = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>' +
  `<Override PartName="/word/document.xml" ContentType="${WORD_MAIN}"/></Types>`;

const RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';

function documentXml(text: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
    `<w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`
  );
}

/**
 * A minimal Word document. `media`, when given, is stored as word/media/image1.png before the
 * package's [Content_Types].xml, which then comes last, as some generators write it.
 */
export function docx(text: string, media?: Buffer): Buffer {
  const parts: [string, string | Buffer][] = [
    ['_rels/.rels', RELS],
    ['word/document.xml', documentXml(text)],
  ];
  if (media) return zip([['word/media/image1.png', media], ...parts, ['[Content_Types].xml', CONTENT_TYPES]]);
  return zip([['[Content_Types].xml', CONTENT_TYPES], ...parts]);
}
