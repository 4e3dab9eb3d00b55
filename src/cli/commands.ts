import { PERMISSIONS } from '../domain/principal.js';

export interface Command {
  run(options: Record<string, string | boolean | undefined>, positionals: string[]): Promise<void>;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What a string option's value is, as its help shows it: `--ttl SECONDS`. */
  value?: string;
  /** What the command gets when the option is not given; its help shows it (unless empty). */
  default?: string;
  help: string;
}

/**
 * Everything `neotool-assets` knows of a command before loading it: its help, the options and
 * arguments it accepts (checked in main.ts, so a usage mistake never loads the command's modules).
 */
export interface CommandSpec {
  /** Its line in the command list of `neotool-assets --help`. */
  summary: string;
  /** What `neotool-assets <command> --help` says it does. */
  description: string;
  /** Operator commands are listed apart: they read the service's STORAGE_* settings to act on storage. */
  operator?: boolean;
  /** Positional arguments it takes, at most `max` of them; without this it takes none. */
  arguments?: { synopsis: string; max: number };
  options?: Record<string, OptionSpec>;
  /** Loaded on demand: `serve` never pulls in the embedded dev servers, `token` never the HTTP stack. */
  load(): Promise<Command>;
}

/** A mistake in how the command was called (exit 2, with the pointer to its --help), not a failure of what it does. */
export class UsageError extends Error {}

/** Dev tokens are for trying the API: a month is long enough, and a leaked one does not stay valid for years. */
export const MAX_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;

/** In the order `neotool-assets --help` lists them. A name may be two words ("storage init"): main.ts tries the first two arguments first. */
export const commands: Record<string, CommandSpec> = {
  serve: {
    summary: 'start the service with the configuration from the environment',
    description: 'Starts the service with the configuration from the environment (see docs/configuration.md). On SIGTERM or SIGINT it stops taking requests, finishes the ones in flight and exits 0.',
    load: async () => (await import('./serve-command.js')).serveCommand,
  },
  dev: {
    summary: 'start the service on an embedded PostgreSQL, S3 server and token issuer (no installs)',
    description:
      'Starts the service in dev mode: an embedded PostgreSQL, a local S3 server and a dev token issuer, data in .data/, listening on 127.0.0.1 only. ' +
      'Refuses to run with NODE_ENV=production or with settings of real infrastructure in the environment (use serve for those).',
    load: async () => (await import('./dev-command.js')).devCommand,
  },
  migrate: {
    summary: 'apply database migrations and exit',
    description: 'Applies the pending database migrations (DATABASE_URL or POSTGRES_*) and exits; waits at most DATABASE_MIGRATION_LOCK_TIMEOUT_SECONDS for another migration in progress.',
    load: async () => (await import('./migrate-command.js')).migrateCommand,
  },
  token: {
    summary: 'print a development token, signed by the dev issuer',
    description: 'Prints a token signed by the dev issuer (its key in .data/dev-keys/), which the service in dev mode accepts: only the token, on one line, e.g. TOKEN=$(npm run --silent token).',
    options: {
      sub: { type: 'string', value: 'ID', default: 'dev-user', help: 'subject of the token: the owner of what it uploads' },
      permissions: { type: 'string', value: 'LIST', default: Object.values(PERMISSIONS).join(','), help: 'comma-separated permissions it grants, any of the default ones' },
      ttl: { type: 'string', value: 'SECONDS', default: '3600', help: `how long it is valid: 1 to ${MAX_TOKEN_TTL_SECONDS} (30 days)` },
    },
    load: async () => (await import('./token-command.js')).tokenCommand,
  },
  'storage init': {
    operator: true,
    summary: 'create both buckets, public read on the public one, CORS from ASSET_CORS_ALLOWED_ORIGINS',
    description:
      'Creates both buckets (STORAGE_PUBLIC_BUCKET, STORAGE_PRIVATE_BUCKET) when missing, gives the public one anonymous read and applies CORS from ASSET_CORS_ALLOWED_ORIGINS; ' +
      'prints the steps a store needs done by hand. A second run changes nothing.',
    load: async () => (await import('./storage-init-command.js')).storageInitCommand,
  },
  doctor: {
    operator: true,
    summary: 'run the deployment checklist against the live configuration; exits 1 when a check fails',
    description: 'Runs the deployment checklist against the live configuration (storage, buckets, CORS, database, JWKS, Redis when REDIS_URL is set): one line per check with the fix. Exits 1 when a check fails.',
    options: {
      json: { type: 'boolean', help: 'print one JSON document (for machines) instead of a line per check' },
    },
    load: async () => (await import('./doctor-command.js')).doctorCommand,
  },
  'storage sync': {
    operator: true,
    summary: 'copy objects from one store to another, e.g. MinIO to R2; reruns resume',
    description:
      'Copies objects between two S3-compatible stores, each described like the service storage (STORAGE_* under an optional prefix): ' +
      'SOURCE_BUCKET to DESTINATION_BUCKET, or with --both-buckets the public and the private bucket. Copies only what is missing or different and verifies every copy, so a rerun resumes.',
    arguments: { synopsis: '[SOURCE_BUCKET DESTINATION_BUCKET]', max: 2 },
    options: {
      'from-env-prefix': { type: 'string', value: 'PREFIX', default: '', help: 'source store from PREFIX + STORAGE_* (e.g. SRC_ for SRC_STORAGE_HOSTNAME); default STORAGE_*' },
      'to-env-prefix': { type: 'string', value: 'PREFIX', default: '', help: 'destination store from PREFIX + STORAGE_*; default STORAGE_*' },
      'both-buckets': { type: 'boolean', help: 'copy the public and the private bucket (names from each store\'s STORAGE_PUBLIC_BUCKET / STORAGE_PRIVATE_BUCKET)' },
      concurrency: { type: 'string', value: 'N', default: '8', help: 'objects copied at once' },
      'part-size-mb': { type: 'string', value: 'N', default: '8', help: 'objects over this many MB are copied in parts of this size (5 to 1024; bigger for an object that would need over 10,000 parts)' },
      'dry-run': { type: 'boolean', help: 'say what would be copied or deleted, change nothing' },
      delete: { type: 'boolean', help: 'delete destination objects the source does not have' },
      'progress-every': { type: 'string', value: 'SECONDS', default: '5', help: 'JSON progress lines this often when stdout is not a terminal' },
      'rewrite-metadata': { type: 'boolean', help: 'point asset rows at the destination once a bucket is copied (needs the database settings: DATABASE_URL or POSTGRES_*, checked before copying)' },
    },
    load: async () => (await import('./storage-sync-command.js')).storageSyncCommand,
  },
};
