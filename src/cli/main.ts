import { parseArgs } from 'node:util';
import { commands } from './commands.js';
import { describeStartupError } from './startup-errors.js';

const USAGE = `Usage: neotool-assets <command> [options]

Commands:
  serve      start the service with the configuration from the environment
  dev        start the service on an embedded PostgreSQL, S3 server and token issuer (no installs)
  migrate    apply database migrations and exit
  token      print a development token (options: --sub ID, --permissions a,b, --ttl SECONDS)

Operator commands (same STORAGE_* settings as the service):
  storage init   create both buckets, give the public one anonymous read, apply CORS from
                 ASSET_CORS_ALLOWED_ORIGINS; a second run changes nothing
  doctor         run the deployment checklist against the live configuration (--json for machines);
                 exits non-zero when a check fails
  storage sync   copy objects from one store to another, e.g. MinIO to R2:
                 storage sync [SOURCE_BUCKET DESTINATION_BUCKET | --both-buckets]
                   --from-env-prefix SRC_   source store from SRC_STORAGE_* (default: STORAGE_*)
                   --to-env-prefix DST_     destination store from DST_STORAGE_* (default: STORAGE_*)
                   --concurrency N (8)  --part-size-mb N (8)  --dry-run  --delete
                   --progress-every SECONDS (5): JSON progress lines when stdout is not a terminal
                   --rewrite-metadata   point asset rows at the destination (needs DATABASE_URL)
`;

async function main(argv: string[]): Promise<void> {
  const twoWords = argv.slice(0, 2).join(' ');
  const name = commands[twoWords] ? twoWords : argv[0];
  const load = name ? commands[name] : undefined;
  const rest = argv.slice(name === twoWords ? 2 : 1);
  if (!load) {
    process.stderr.write(USAGE);
    process.exitCode = name === undefined || name === '--help' ? 0 : 2;
    return;
  }
  const command = await load();
  const { values, positionals } = parseArgs({ args: rest, options: command.options ?? {}, strict: true, allowPositionals: true });
  await command.run(values as Record<string, string | boolean | undefined>, positionals);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`neotool-assets: ${describeStartupError(error)}\n`);
  process.exit(1);
});
