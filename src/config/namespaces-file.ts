import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_IMAGE_LIMITS, NamespaceCatalog, type NamespaceRules } from '../domain/namespace.js';
import { assertValidKeyTemplate } from '../domain/storage-key.js';

const namespaceSchema = z.object({
  visibility: z.enum(['PUBLIC', 'PRIVATE']),
  keyTemplate: z.string().min(1),
  maxSizeBytes: z.number().int().positive(),
  allowedMimeTypes: z.array(z.string().min(3)).min(1),
  uploadTtlSeconds: z.number().int().min(1).max(604800).optional(),
  imageLimits: z
    .object({ maxWidth: z.number().int().positive(), maxHeight: z.number().int().positive(), maxPixels: z.number().int().positive() })
    .partial()
    .optional(),
});
const fileSchema = z.object({ namespaces: z.record(z.string(), namespaceSchema) });

/** Reads and checks the namespaces file once at startup; any problem names the file and the entry. */
export async function loadNamespaces(path: string): Promise<NamespaceCatalog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the namespaces file "${path}" (ASSET_CONFIG_PATH): ${(error as Error).message}`);
  }
  return parseNamespaces(text, path);
}

export function parseNamespaces(text: string, source: string): NamespaceCatalog {
  const parsed = fileSchema.safeParse(parseYaml(text, source));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Namespaces file "${source}" is invalid at ${issue?.path.join('.') || 'top level'}: ${issue?.message}`);
  }
  const namespaces: NamespaceRules[] = Object.entries(parsed.data.namespaces).map(([name, ns]) => ({
    name,
    ...ns,
    imageLimits: { ...DEFAULT_IMAGE_LIMITS, ...ns.imageLimits },
  }));
  for (const ns of namespaces) {
    try {
      assertValidKeyTemplate(ns.keyTemplate);
    } catch (error) {
      throw new Error(`Namespaces file "${source}", namespace "${ns.name}": ${(error as Error).message}`);
    }
  }
  return new NamespaceCatalog(namespaces);
}

function parseYaml(text: string, source: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    throw new Error(`Namespaces file "${source}" (ASSET_CONFIG_PATH) is not valid YAML: ${(error as Error).message}`);
  }
}
