// The commands the executable knows, in the order --help shows them. A command's module (and
// with it the parts of src/ it needs) is loaded only when that command runs: loading all of them
// cost every invocation ~75 ms more (ingest: 185 ms of imports against 259).
import type { CommandModule } from 'yargs';
import { commandWord } from '../commandLine.js';

type Loader = () => Promise<CommandModule<any, any>>;

const COMMANDS: Array<[name: string, load: Loader]> = [
  ['init', async () => (await import('./init.js')).initCommand],
  ['ingest', async () => (await import('./ingest.js')).ingestCommand],
  ['snapshots', async () => (await import('./snapshots.js')).snapshotsCommand],
  ['ls', async () => (await import('./ls.js')).lsCommand],
  ['cat', async () => (await import('./cat.js')).catCommand],
  ['restore', async () => (await import('./restore.js')).restoreCommand],
  ['stats', async () => (await import('./stats.js')).statsCommand],
  ['chunk', async () => (await import('./chunk.js')).chunkCommand],
  ['mount', async () => (await import('./mount.js')).mountCommand],
  ['umount', async () => (await import('./umount.js')).umountCommand],
  ['commit', async () => (await import('./commit.js')).commitCommand],
  ['forget', async () => (await import('./forget.js')).forgetCommand],
  ['gc', async () => (await import('./gc.js')).gcCommand],
  ['check', async () => (await import('./check.js')).checkCommand],
  ['repair', async () => (await import('./repair.js')).repairCommand],
  ['unlock', async () => (await import('./unlock.js')).unlockCommand],
  ['copy', async () => (await import('./copy.js')).copyCommand],
  ['diff', async () => (await import('./diff.js')).diffCommand],
  ['find', async () => (await import('./find.js')).findCommand],
  ['tag', async () => (await import('./tag.js')).tagCommand],
  ['key', async () => (await import('./key.js')).keyCommand],
  ['completion', async () => (await import('./completion.js')).completionCommand],
];

/** The names of all commands, in --help order. */
export const COMMAND_NAMES = COMMANDS.map(([name]) => name);

/**
 * The command modules to register for `argv`: only the named command's when the first word is
 * one, else all of them (for --help, a typo's suggestions and usage errors).
 */
export async function commandsFor(argv: string[]): Promise<CommandModule<any, any>[]> {
  const word = commandWord(argv);
  // `dedupfs --version` needs no command at all (start-up time).
  if (word === undefined && argv.includes('--version') && !argv.includes('--help') && !argv.includes('-h')) return [];
  const named = COMMANDS.find(([name]) => name === word);
  return Promise.all((named ? [named] : COMMANDS).map(([, load]) => load()));
}
