import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type CommandSpec } from './commands.js';
import { optionSynopsis } from './help.js';

export interface CommandArguments {
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** `--help` or `-h` anywhere before a `--`: the command's help, whatever else is there. */
export function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * The command's options and arguments, checked against its spec. Mistakes become a UsageError naming
 * the option or argument, in our words rather than parseArgs' (whose advice is about quoting).
 * A string option's value may start with a dash when it is a number (`--ttl -5`), so that the
 * command can say what range it accepts.
 */
export function parseCommandArguments(name: string, spec: CommandSpec, args: string[]): CommandArguments {
  const specs = spec.options ?? {};
  const config: ParseArgsConfig['options'] = Object.fromEntries(Object.entries(specs).map(([option, o]) => [option, o.default === undefined ? { type: o.type } : { type: o.type, default: o.default }]));
  const { values, positionals, tokens } = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = specs[token.name];
    if (!option) throw new UsageError(`unknown option ${token.rawName}`);
    if (option.type === 'boolean' && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
    const missing = token.value === undefined || (!token.inlineValue && /^-(?!\d)/.test(token.value));
    if (option.type === 'string' && missing) throw new UsageError(`${token.rawName} needs a value: ${optionSynopsis(token.name, option)}`);
  }
  const max = spec.arguments?.max ?? 0;
  if (positionals.length > max) {
    const takes = spec.arguments ? `takes ${spec.arguments.synopsis}` : 'takes no arguments';
    throw new UsageError(`unexpected argument "${positionals[max]}" (${name} ${takes})`);
  }
  return { options: values, positionals };
}
