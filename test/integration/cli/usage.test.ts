// How `neotool-assets` answers help requests and usage mistakes, run as a child process as a user runs it:
// help on stdout with exit 0; a mistake in how a command is called names what is wrong and the command's
// --help on stderr, exit 2, before the command does anything (no settings are needed to see it).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commands } from '../../../src/cli/commands.js';
import { runCli, type CliResult } from '../../support/cli-process.js';

const cli = (...args: string[]): Promise<CliResult> => runCli(args, {}, { timeoutMs: 60_000 });
const USAGE = /^Usage: neotool-assets <command> \[options\]\n/;

/** The one-line refusal of a usage mistake: what is wrong, then where the command's help is. */
function assertUsageMistake(result: CliResult, command: string, problem: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n');
  assert.equal(lines.length, 2, `one line:\n${result.stderr}`);
  assert.ok(lines[0]!.startsWith(`neotool-assets ${command}: `), result.stderr);
  assert.match(lines[0]!, problem);
  assert.ok(lines[0]!.endsWith(`; run "neotool-assets ${command} --help" for its usage.`), result.stderr);
  assert.doesNotMatch(result.stderr, /To specify|place it at the end|-XYZ|ambiguous/, "none of Node's parseArgs advice");
}

describe('neotool-assets help', () => {
  for (const asked of ['--help', '-h', 'help']) {
    test(`\`neotool-assets ${asked}\` prints the usage with every command on stdout and exits 0`, async () => {
      const result = await cli(asked);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, USAGE);
      for (const name of Object.keys(commands)) assert.match(result.stdout, new RegExp(`^  ${name}  `, 'm'), `${name} missing`);
      assert.equal(result.stderr, '');
    });
  }

  for (const [name, spec] of Object.entries(commands)) {
    test(`\`neotool-assets ${name} --help\` prints what ${name} does and each of its options with its default, and exits 0`, async () => {
      const result = await cli(...name.split(' '), '--help');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.ok(result.stdout.startsWith(`Usage: neotool-assets ${name} `), result.stdout);
      assert.ok(result.stdout.includes(spec.description.split(' ').slice(0, 6).join(' ')), result.stdout);
      for (const [option, { default: value }] of Object.entries(spec.options ?? {})) {
        const line = result.stdout.split('\n').find((l) => l.startsWith(`  --${option} `));
        assert.ok(line, `--${option} missing from:\n${result.stdout}`);
        if (value) assert.ok(line.endsWith(`(default: ${value})`), line);
      }
      assert.match(result.stdout, /^ {2}-h, --help {2,}print this help$/m);
    });
  }

  test('-h after a command is its help too, and so is `help <command>`', async () => {
    const short = await cli('storage', 'sync', '-h');
    const long = await cli('storage', 'sync', '--help');
    const named = await cli('help', 'storage', 'sync');
    assert.equal(short.code, 0, short.stderr);
    assert.equal(named.code, 0, named.stderr);
    assert.equal(short.stdout, long.stdout);
    assert.equal(named.stdout, long.stdout);
  });

  test('`help storage` (a group of commands) prints the usage, as `storage --help` does, and exits 0', async () => {
    const named = await cli('help', 'storage');
    const flag = await cli('storage', '--help');
    assert.equal(named.code, 0, named.stderr);
    assert.ok(named.stdout.startsWith('Usage: neotool-assets <command> [options]'), named.stdout);
    assert.equal(named.stdout, flag.stdout);
  });

  test('the help of token says how long a token may be valid: 1 to 2592000 seconds (30 days), one hour by default', async () => {
    const { stdout } = await cli('token', '--help');
    assert.match(stdout, /^ {2}--ttl SECONDS +how long it is valid: 1 to 2592000 \(30 days\) \(default: 3600\)$/m);
  });
});

describe('neotool-assets with a command it does not have', () => {
  for (const words of [['bogus'], ['storage', 'nope']]) {
    test(`\`neotool-assets ${words.join(' ')}\` says first that "${words.join(' ')}" is an unknown command, then prints the usage, and exits 2`, async () => {
      const result = await cli(...words);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      const [first, blank, ...usage] = result.stderr.split('\n');
      assert.equal(first, `Unknown command "${words.join(' ')}".`);
      assert.equal(blank, '');
      assert.match(usage.join('\n'), USAGE);
    });
  }

  test('`neotool-assets storage` alone names the subcommands it needs, then prints the usage, and exits 2', async () => {
    const result = await cli('storage');
    assert.equal(result.code, 2);
    const [first, blank, ...usage] = result.stderr.split('\n');
    assert.equal(first, '"storage" needs a subcommand: init or sync.');
    assert.equal(blank, '');
    assert.match(usage.join('\n'), USAGE);
  });

  test('`neotool-assets bogus --help` is still an unknown command (exit 2), not help', async () => {
    const result = await cli('bogus', '--help');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^Unknown command "bogus"\.\n/);
  });
});

describe('neotool-assets commands called the wrong way', () => {
  for (const command of ['token', 'doctor', 'migrate']) {
    test(`\`${command} extra\` is refused naming the unexpected argument, before ${command} runs`, async () => {
      assertUsageMistake(await cli(command, 'extra'), command, /unexpected argument "extra" \(\w+ takes no arguments\)/);
    });
  }

  test('`storage sync` refuses a third bucket name, naming it', async () => {
    assertUsageMistake(await cli('storage', 'sync', 'a', 'b', 'c'), 'storage sync', /unexpected argument "c" \(storage sync takes \[SOURCE_BUCKET DESTINATION_BUCKET\]\)/);
  });

  test('an option the command does not have is named, with the command\'s --help, in one line', async () => {
    assertUsageMistake(await cli('token', '--subject', 'alice'), 'token', /unknown option --subject;/);
    assertUsageMistake(await cli('storage', 'init', '-x'), 'storage init', /unknown option -x;/);
  });

  test('an option missing its value is named with the value it needs, also when the next argument is another option', async () => {
    assertUsageMistake(await cli('token', '--ttl'), 'token', /--ttl needs a value: --ttl SECONDS;/);
    assertUsageMistake(await cli('token', '--sub', '--ttl', '60'), 'token', /--sub needs a value: --sub ID;/);
    assertUsageMistake(await cli('storage', 'sync', 'a', 'b', '--concurrency'), 'storage sync', /--concurrency needs a value: --concurrency N;/);
  });

  test('a value given to an on/off option is refused naming the option', async () => {
    assertUsageMistake(await cli('doctor', '--json=yes'), 'doctor', /--json takes no value;/);
  });
});
