import type { Visibility } from '../domain/asset.js';
import type { EnvVarName } from './env-schema.js';
import { sourceOf } from './setting-sources.js';

export interface StorageConfig {
  hostname: string;
  port: number;
  useHttps: boolean;
  region: string;
  forcePathStyle: boolean;
  accessKey: string;
  secret: string;
  publicBucket: string;
  privateBucket: string;
  /** Absolute prefix of public URLs, no trailing slash. */
  publicBaseUrl: string;
  uploadTtlSeconds: number;
  downloadTtlSeconds: number;
  maxUploadBytes: number;
  timeoutMs: number;
  circuitResetMs: number;
}

const R2_HOST = /\.r2\.cloudflarestorage\.com$/i;

/** The bucket of each visibility (uploads also wait in the PRIVATE one until their confirm). */
export function bucketsByVisibility(c: Pick<StorageConfig, 'publicBucket' | 'privateBucket'>): Record<Visibility, string> {
  return { PUBLIC: c.publicBucket, PRIVATE: c.privateBucket };
}

/** Cloudflare R2 has its own rules: HTTPS only, region "auto", no bucket policies. */
export function isCloudflareR2(hostname: string): boolean {
  return R2_HOST.test(hostname);
}

/** Builds the storage settings and checks the combinations that only fail later, against real storage. */
export function deriveStorageConfig(values: Partial<Record<EnvVarName, unknown>>, problems: string[]): StorageConfig | undefined {
  const hostname = values.STORAGE_HOSTNAME as string | undefined;
  if (hostname === undefined || values.STORAGE_ACCESS_KEY === undefined || values.STORAGE_SECRET === undefined) return undefined;
  const useHttps = values.STORAGE_USE_HTTPS as boolean;
  const config: StorageConfig = {
    hostname,
    port: (values.STORAGE_PORT as number | undefined) ?? (useHttps ? 443 : 80),
    useHttps,
    region: values.STORAGE_REGION as string,
    forcePathStyle: values.STORAGE_FORCE_PATH_STYLE as boolean,
    accessKey: values.STORAGE_ACCESS_KEY as string,
    secret: values.STORAGE_SECRET as string,
    publicBucket: values.STORAGE_PUBLIC_BUCKET as string,
    privateBucket: values.STORAGE_PRIVATE_BUCKET as string,
    publicBaseUrl: '',
    uploadTtlSeconds: values.STORAGE_UPLOAD_TTL_SECONDS as number,
    downloadTtlSeconds: values.STORAGE_DOWNLOAD_TTL_SECONDS as number,
    maxUploadBytes: values.STORAGE_MAX_UPLOAD_BYTES as number,
    timeoutMs: values.STORAGE_TIMEOUT_MS as number,
    circuitResetMs: values.STORAGE_CIRCUIT_RESET_MS as number,
  };
  if (isCloudflareR2(hostname)) problems.push(...r2Problems(config, (name) => sourceOf(values, name) === 'default' || values[name] === undefined));
  config.publicBaseUrl = publicBaseUrl(config, values.STORAGE_PUBLIC_BASE_PATH as string | undefined);
  return config;
}

/**
 * What R2 refuses. A value the operator did not set is said to be a default, with the setting to add. The
 * port's default follows HTTPS (443 with it, 80 without): with HTTPS off and no port set, turning HTTPS on
 * is the whole fix, so only that is reported.
 */
function r2Problems(c: StorageConfig, defaulted: (name: EnvVarName) => boolean): string[] {
  const problems: string[] = [];
  if (!c.useHttps) problems.push('STORAGE_USE_HTTPS must be true for Cloudflare R2 (it only speaks HTTPS).');
  if (c.port !== 443 && !defaulted('STORAGE_PORT')) problems.push(`STORAGE_PORT must be 443 for Cloudflare R2 (got ${c.port}).`);
  if (c.region !== 'auto') {
    problems.push(defaulted('STORAGE_REGION')
      ? `STORAGE_REGION must be "auto" for Cloudflare R2 (not set, so it defaulted to "${c.region}"): set STORAGE_REGION=auto.`
      : `STORAGE_REGION must be "auto" for Cloudflare R2 (got "${c.region}").`);
  }
  if (c.forcePathStyle) problems.push('STORAGE_FORCE_PATH_STYLE must be false for Cloudflare R2 (it uses virtual-hosted style).');
  return problems;
}

/** The storage endpoint as a URL origin, e.g. http://localhost:9000 (default ports omitted). */
export function endpointUrl(c: Pick<StorageConfig, 'hostname' | 'port' | 'useHttps'>): string {
  const defaultPort = c.useHttps ? 443 : 80;
  return `${c.useHttps ? 'https' : 'http'}://${c.hostname}${c.port === defaultPort ? '' : `:${c.port}`}`;
}

function publicBaseUrl(c: StorageConfig, basePath: string | undefined): string {
  const base = basePath ?? `/${c.publicBucket}`;
  const absolute = /^https?:\/\//i.test(base) ? base : `${endpointUrl(c)}/${base.replace(/^\/+/, '')}`;
  return absolute.replace(/\/+$/, '');
}
