// The dedupfs program (bin/dedupfs starts it): parses the command line with yargs, dispatches
// to one module per command in cli/commands/, and turns any error into one line on stderr and
// an exit status. No logic of its own lives here.
import './runtime.js';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readFileSync } from 'node:fs';
import { commandsFor } from './commands/index.js';
import { reportFatal, reportUsage } from '../src/ui/reportError.js';
import { EXIT } from '../src/ui/exitCodes.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

async function main(argv: string[]): Promise<void> {
  let parser = yargs(argv)
    .scriptName('dedupfs')
    .usage('$0 <command> [options]\n\nA content-defined-chunking backup archiver: stores every copy, pays for each block once.')
    .option('repo', { type: 'string', describe: 'repository folder (default $DEDUPFS_REPO or ~/.dedupfs)', global: true })
    .option('json', { type: 'boolean', describe: 'print machine-readable JSON on stdout', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress, only warnings and errors', global: true })
    .version(pkg.version)
    .help()
    .alias('help', 'h')
    .strict()
    .demandCommand(1, 'a command is required')
    .recommendCommands()
    .wrap(Math.min(120, process.stdout.columns || 120))
    .epilogue('Exit status: 0 success, 1 error, 2 usage, 3 finished with warnings, 10 no repository, 11 repository locked, 130 interrupted.\nSee man dedupfs for more.')
    .fail((msg, err) => {
      if (err) throw err;
      reportUsage(msg);
    });
  for (const cmd of await commandsFor(argv)) parser = parser.command(cmd);
  await parser.parseAsync();
}

// Ctrl-C, or a TERM from cron: exit with 130, which runs lock.ts's 'exit' listener and so
// removes this process's lock files. A command that handles the signal itself (mount unmounts
// first) adds its own listener; this one then stays out of the way.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => { if (process.listenerCount(signal) === 1) process.exit(EXIT.INTERRUPTED); });
}

main(hideBin(process.argv)).catch(reportFatal);
