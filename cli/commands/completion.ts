// `dedupfs completion bash|zsh|fish`: prints a shell completion script. The commands and their
// options are read from the command modules (each builder is run on a scratch parser), so the
// script cannot drift from the CLI; the global options are those the parser gave this command.
import yargs, { type Argv, type CommandModule } from 'yargs';
import { formatCompletion, SHELLS, type CompletionCommand, type Shell } from '../../src/ui/formatCompletion.js';
import type { GlobalArgs } from '../shared.js';
import { commandsFor } from './index.js';

interface Args extends GlobalArgs { shell: Shell }

/** "--long" and "-s" forms of the options `parser` declares, less help and version. */
function optionNames(parser: Argv<any>, skip: Set<string> = new Set()): string[] {
  const keys = Object.keys((parser as unknown as { getOptions(): { key: Record<string, boolean> } }).getOptions().key);
  return keys.filter((k) => !skip.has(k) && k !== 'version' && !/[A-Z]/.test(k)).map((k) => (k.length === 1 ? `-${k}` : `--${k}`));
}

/** Positional names that take a snapshot selector. */
const SNAPSHOT_ARG = /[<[](spec|snapshots?\d?)(\.\.)?[\]>]/;

/** Parsers made only to read a command's options (the completion builder must not take them for the real one). */
const scratchParsers = new WeakSet<object>();

async function describeCommand(mod: CommandModule<any, any>): Promise<CompletionCommand> {
  const command = typeof mod.command === 'string' ? mod.command : String(mod.command);
  const positionals = new Set([...command.matchAll(/[<[]([\w-]+)(?:\.\.)?[\]>]/g)].map((m) => m[1]));
  const scratch = yargs([]);
  scratchParsers.add(scratch);
  if (typeof mod.builder === 'function') await mod.builder(scratch);
  return { name: command.split(' ')[0], options: optionNames(scratch, new Set(['help', ...positionals])), snapshots: SNAPSHOT_ARG.test(command) };
}

let globals: string[] = [];

export const completionCommand: CommandModule<GlobalArgs, Args> = {
  command: 'completion <shell>',
  describe: 'print a shell completion script (bash, zsh or fish)',
  builder: (y) => {
    if (!scratchParsers.has(y)) globals = optionNames(y);
    return y
      .positional('shell', { type: 'string', choices: SHELLS, describe: 'the shell to complete in', demandOption: true })
      .example('source <($0 completion bash)', 'completion in this bash session')
      .example('$0 completion bash > /etc/bash_completion.d/dedupfs', 'for every bash session')
      .epilogue('Commands and options are completed from the script; snapshot ids (and latest) by running '
        + '"dedupfs snapshots --json" on the repository the command line names, when a snapshot is expected.\n'
        + 'zsh: source <(dedupfs completion zsh) in ~/.zshrc. fish: dedupfs completion fish > ~/.config/fish/completions/dedupfs.fish') as Argv<Args>;
  },
  handler: async (argv) => {
    const commands = await Promise.all((await commandsFor([])).map(describeCommand));
    process.stdout.write(formatCompletion(argv.shell, { commands, globals }));
  },
};
