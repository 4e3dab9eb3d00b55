import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_IMAGE_LIMITS, NamespaceCatalog, type NamespaceRules } from '../domain/namespace.js';
import { assertValidKeyTemplate } from '../domain/storage-key.js';
import { rateLimitSchema, type UploadLimits } from './upload-limits.js';

/** Checked with the rest of the file, so that an unsafe template is listed with every other problem. */
function keyTemplateProblem(template: string, ctx: z.RefinementCtx): void {
  if (template.length === 0) return;
  try {
    assertValidKeyTemplate(template);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
}

const namespaceSchema = z.object({
  visibility: z.enum(['PUBLIC', 'PRIVATE']),
  keyTemplate: z.string().min(1).superRefine(keyTemplateProblem),
  maxSizeBytes: z.number().int().positive(),
  allowedMimeTypes: z.array(z.string().min(3)).min(1),
  uploadTtlSeconds: z.number().int().min(1).max(604800).optional(),
  imageLimits: z
    .object({ maxWidth: z.number().int().positive(), maxHeight: z.number().int().positive(), maxPixels: z.number().int().positive() })
    .partial()
    .optional(),
});
const fileSchema = z.object({ namespaces: z.record(z.string(), namespaceSchema), rateLimit: rateLimitSchema });

/** Everything the namespaces file declares: the namespaces and the default per-owner upload limits. */
export interface NamespacesFile {
  catalog: NamespaceCatalog;
  rateLimit: UploadLimits;
}

/** The namespaces file could not be read at all (missing, a directory, no permission), as opposed to read and found wrong. */
export class NamespacesFileUnreadable extends Error {}

/** Reads and checks the namespaces file once at startup; any problem names the file and the entry. */
export async function loadNamespacesFile(path: string): Promise<NamespacesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new NamespacesFileUnreadable(`Cannot read the namespaces file "${path}" (ASSET_CONFIG_PATH): ${unreadableBecause(path, error as NodeJS.ErrnoException)}`);
  }
  return parseNamespacesFile(text, path);
}

/** The cause and the fix: a relative path that is not there is usually a command run from another directory. */
function unreadableBecause(file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT' && !isAbsolute(file)) {
    return `there is no such file in ${process.cwd()}. Run from the directory that holds it (the project's, for the shipped config/namespaces.yaml), or set ASSET_CONFIG_PATH to its full path.`;
  }
  if (error.code === 'ENOENT') return 'there is no such file. Set ASSET_CONFIG_PATH to the path of your namespaces file, or mount the file there.';
  if (error.code === 'EISDIR') return 'it is a directory. Set ASSET_CONFIG_PATH to the namespaces file in it (say its namespaces.yaml).';
  return `${error.message}. Make the file readable by the service's user, or set ASSET_CONFIG_PATH to another.`;
}

export async function loadNamespaces(path: string): Promise<NamespaceCatalog> {
  return (await loadNamespacesFile(path)).catalog;
}

export function parseNamespaces(text: string, source: string): NamespaceCatalog {
  return parseNamespacesFile(text, source).catalog;
}

function parseNamespacesFile(text: string, source: string): NamespacesFile {
  const parsed = fileSchema.safeParse(parseYaml(text, source));
  if (!parsed.success) throw new Error(invalidFileMessage(source, parsed.error.issues));
  const namespaces: NamespaceRules[] = Object.entries(parsed.data.namespaces).map(([name, ns]) => ({
    name,
    ...ns,
    imageLimits: { ...DEFAULT_IMAGE_LIMITS, ...ns.imageLimits },
  }));
  return { catalog: catalogOf(namespaces, source), rateLimit: parsed.data.rateLimit };
}

/** Every problem of the file at once, each at its entry and field (e.g. namespaces.photos.maxSizeBytes), as ConfigError lists the settings. */
function invalidFileMessage(source: string, issues: readonly z.core.$ZodIssue[]): string {
  const at = (issue: z.core.$ZodIssue) => `at ${issue.path.map(String).join('.') || 'top level'}: ${issue.message}`;
  if (issues.length === 1) return `Namespaces file "${source}" is invalid ${at(issues[0]!)}`;
  return `Namespaces file "${source}" is invalid in ${issues.length} places:\n${issues.map((issue) => `  - ${at(issue)}`).join('\n')}`;
}

function catalogOf(namespaces: NamespaceRules[], source: string): NamespaceCatalog {
  try {
    return new NamespaceCatalog(namespaces);
  } catch (error) {
    throw new Error(`Namespaces file "${source}": ${(error as Error).message}`);
  }
}

function parseYaml(text: string, source: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    throw new Error(`Namespaces file "${source}" (ASSET_CONFIG_PATH) is not valid YAML: ${(error as Error).message}`);
  }
}
