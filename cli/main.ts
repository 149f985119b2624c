// The dedupfs program (bin/dedupfs starts it): parses the command line with yargs, dispatches
// to one module per command in cli/commands/, and turns any error into one line on stderr and
// an exit status. No logic of its own lives here.
import './runtime.js';
import { readFileSync } from 'node:fs';
import { COMMAND_NAMES, commandsFor } from './commands/index.js';
import { checkOperands, markOperands, usageMessage, type KnownOptions } from './commandLine.js';
import { printHeldSummary } from './heldSummary.js';
import { reportFatal, reportUsage } from '../src/ui/reportError.js';
import { EXIT } from '../src/ui/exitCodes.js';
import yargs from './yargs.cjs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

async function main(argv: string[]): Promise<void> {
  let parser = yargs(markOperands(argv))
    // one value per flag: `--tag a PATH` never takes PATH as a second tag; an unknown option
    // never takes the next word as its value (checkOperands reports it)
    .parserConfiguration({ 'greedy-arrays': false, 'unknown-options-as-args': true })
    .scriptName('dedupfs')
    // yargs' own words in English whatever LANG says, like the rest of the CLI: usageMessage
    // reads them ("Unknown argument: x" becomes "unknown command 'x'")
    .locale('en')
    .usage('$0 <command> [options]\n\nA content-defined-chunking backup archiver: stores every copy, pays for each block once.')
    .option('repo', { type: 'string', describe: 'repository folder (default $DEDUPFS_REPO or ~/.dedupfs)', global: true })
    .option('json', { type: 'boolean', describe: 'print machine-readable JSON on stdout', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'print nothing on success but what the command is for (a listing, a file, --json); warnings and errors still print', global: true })
    .option('password-file', { type: 'string', requiresArg: true, describe: 'an encrypted repository: read its password from this file (default $DEDUPFS_PASSWORD_FILE)', global: true })
    .option('password-command', { type: 'string', requiresArg: true, describe: 'an encrypted repository: run this shell command for its password (default $DEDUPFS_PASSWORD_COMMAND)', global: true })
    .version(pkg.version)
    .help()
    .alias('help', 'h')
    .strict()
    .demandCommand(1, 'a command is required')
    // a terminal's width, no wrapping at all when stdout is a pipe or a file
    .wrap(process.stdout.isTTY ? process.stdout.columns : null)
    .epilogue('Options go before or after the operands; a repeatable option takes one value each time (--tag a --tag b); -- ends the options.\n'
      + 'Exit status: 0 success, 1 error, 2 usage, 3 finished with warnings, 10 no repository, 11 repository locked, 12 wrong password, 130 interrupted.\nSee man dedupfs for more.')
    .fail((msg, err) => {
      // yargs' own parse errors (YError) are usage errors; any other error is the command's
      if (err && err.name !== 'YError') throw err;
      const usage = usageMessage(msg ?? err.message, argv, COMMAND_NAMES);
      reportUsage(usage.message, usage.hint);
    });
  // yargs' getOptions() is public but missing from its type declarations
  const known = () => (parser as unknown as { getOptions(): KnownOptions }).getOptions();
  parser = parser.middleware((args) => checkOperands(args, argv, known(), COMMAND_NAMES), true);
  for (const cmd of await commandsFor(argv)) parser = parser.command(cmd);
  await parser.parseAsync();
  printHeldSummary();
}

// Ctrl-C, or a TERM from cron: exit with 130, which runs lock.ts's 'exit' listener and so
// removes this process's lock files. A command that handles the signal itself (mount unmounts
// first) adds its own listener; this one then stays out of the way.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => { if (process.listenerCount(signal) === 1) process.exit(EXIT.INTERRUPTED); });
}

main(process.argv.slice(2)).catch((err) => {
  reportFatal(err);
  printHeldSummary(); // what a command changed before it failed (forget before its gc) is still said
});
