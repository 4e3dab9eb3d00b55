import { asksForHelp, parseCommandArguments } from './arguments.js';
import { commands, UsageError, type CommandSpec } from './commands.js';
import { commandHelp, usage } from './help.js';
import { describeStartupError } from './startup-errors.js';

const HELP = new Set(['--help', '-h', 'help']);
/** Usage mistakes exit 2, failures of the command itself 1. */
const USAGE_EXIT_CODE = 2;

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0) return void process.stderr.write(usage());
  if (HELP.has(argv[0]!)) return help(argv.slice(1));
  const { name, spec, rest } = findCommand(argv);
  if (!spec) return asksForHelp(rest) ? help([]) : unknownCommand(name);
  if (asksForHelp(rest)) return help(argv);
  try {
    const { options, positionals } = parseCommandArguments(name, spec, rest);
    await (await spec.load()).run(options, positionals);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`neotool-assets ${name}: ${error.message.replace(/\.$/, '')}; run "neotool-assets ${name} --help" for its usage.\n`);
    process.exitCode = USAGE_EXIT_CODE;
  }
}

/** `help` (or `help storage`, a group): the usage; `help token` (or `token --help`): that command's help. */
function help(words: string[]): void {
  const { name, spec } = findCommand(words);
  if (words.length > 0 && !spec && !isGroup(name)) return unknownCommand(name);
  process.stdout.write(spec ? commandHelp(name, spec) : usage());
}

/** An unknown name, or a group word alone (`storage`), which names its subcommands. */
function unknownCommand(name: string): void {
  const subcommands = Object.keys(commands).filter((command) => command.startsWith(`${name} `)).map((command) => command.slice(name.length + 1));
  const problem = subcommands.length > 0 ? `"${name}" needs a subcommand: ${subcommands.join(' or ')}.` : `Unknown command "${name}".`;
  process.stderr.write(`${problem}\n\n${usage()}`);
  process.exitCode = USAGE_EXIT_CODE;
}

/**
 * A two-word command ("storage init") first, then a one-word one. Not found: the name is the words
 * given ("storage nope"), and `rest` what follows a group word ("storage --help").
 */
function findCommand(argv: string[]): { name: string; spec?: CommandSpec; rest: string[] } {
  const [first = '', second] = argv;
  const twoWords = `${first} ${second}`;
  if (commands[twoWords]) return { name: twoWords, spec: commands[twoWords], rest: argv.slice(2) };
  if (commands[first]) return { name: first, spec: commands[first], rest: argv.slice(1) };
  const group = isGroup(first);
  if (group && second !== undefined && !second.startsWith('-')) return { name: twoWords, rest: [] };
  return { name: first, rest: group ? argv.slice(1) : [] };
}

/** "storage": the first word of two-word commands. */
function isGroup(word: string): boolean {
  return Object.keys(commands).some((name) => name.startsWith(`${word} `));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`neotool-assets: ${describeStartupError(error)}\n`);
  process.exit(1);
});
