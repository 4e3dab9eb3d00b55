import { parseArgs } from 'node:util';
import { commands } from './commands.js';
import { describeStartupError } from './startup-errors.js';

const USAGE = `Usage: neotool-assets <command> [options]

Commands:
  serve      start the service with the configuration from the environment
  dev        start the service on an embedded PostgreSQL, S3 server and token issuer (no installs)
  migrate    apply database migrations and exit
  token      print a development token (options: --sub ID, --permissions a,b, --ttl SECONDS)
`;

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const load = name ? commands[name] : undefined;
  if (!load) {
    process.stderr.write(USAGE);
    process.exitCode = name === undefined || name === '--help' ? 0 : 2;
    return;
  }
  const command = await load();
  const { values } = parseArgs({ args: rest, options: command.options ?? {}, strict: true, allowPositionals: true });
  await command.run(values as Record<string, string | boolean | undefined>);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`neotool-assets: ${describeStartupError(error)}\n`);
  process.exit(1);
});
