import { commands, type CommandSpec, type OptionSpec } from './commands.js';

const HELP_OPTION = '-h, --help';

/** `neotool-assets --help`: every command with its one-line summary. */
export function usage(): string {
  const width = columnWidth(Object.keys(commands));
  const list = (operator: boolean) => table(Object.entries(commands).filter(([, spec]) => (spec.operator ?? false) === operator).map(([name, spec]) => [name, spec.summary]), width);
  return `Usage: neotool-assets <command> [options]

Commands:
${list(false)}
Operator commands (same STORAGE_* settings as the service):
${list(true)}
Run "neotool-assets <command> --help" for what a command does and its options.
`;
}

/** `neotool-assets <command> --help`: what it does, its arguments and its options with their defaults. */
export function commandHelp(name: string, spec: CommandSpec): string {
  const synopsis = [`neotool-assets ${name}`, spec.arguments?.synopsis, '[options]'].filter(Boolean).join(' ');
  const options = Object.entries(spec.options ?? {}).map(([option, o]) => [optionSynopsis(option, o), optionHelp(o)]);
  return `Usage: ${synopsis}

${wrap(spec.description)}

Options:
${table([...options, [HELP_OPTION, 'print this help']])}`;
}

/** How to call an option: `--ttl SECONDS`, `--json`. */
export function optionSynopsis(name: string, option: OptionSpec): string {
  return option.type === 'string' ? `--${name} ${option.value ?? 'VALUE'}` : `--${name}`;
}

function optionHelp(option: OptionSpec): string {
  return option.default ? `${option.help} (default: ${option.default})` : option.help;
}

const LINE_WIDTH = 100;

/** Two columns, the second starting where the longest first one ends (plus a gap). */
function table(rows: string[][], width = columnWidth(rows.map(([left]) => left!))): string {
  return rows.map(([left, right]) => `  ${left!.padEnd(width)}${right}\n`).join('');
}

function columnWidth(lefts: string[]): number {
  return Math.max(...lefts.map((left) => left.length)) + 3;
}

/** A paragraph broken at spaces into lines of at most LINE_WIDTH characters. */
function wrap(text: string): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= LINE_WIDTH) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.join('\n');
}
