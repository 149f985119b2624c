// `dedupfs find PATTERN... [--snapshot S]... [--host H] [--newest N]`: which snapshots hold a
// file whose name or path matches.
import type { CommandModule } from 'yargs';
import { findInSnapshots, type FindResult } from '../../src/find/findInSnapshots.js';
import { findJson, findSummaryJson, formatFindLine, formatFindSummary, type FindCounts } from '../../src/ui/formatFind.js';
import { batchLines } from '../../src/ui/batchLines.js';
import { streamToStdout } from '../../src/ui/streamOut.js';
import { repeatable, withRepository, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { patterns: string[]; snapshot: string[]; host?: string; newest?: number }

async function* lines(found: FindResult, argv: Args): AsyncGenerator<string> {
  const counts: FindCounts = { matches: 0, snapshotsMatched: 0, snapshots: found.snapshots.length };
  let last = '';
  for await (const m of found.matches) {
    counts.matches++;
    if (m.snapshot.id !== last) counts.snapshotsMatched++;
    last = m.snapshot.id;
    yield argv.json ? `${JSON.stringify(findJson(m))}\n` : formatFindLine(m);
  }
  if (argv.json) yield `${JSON.stringify(findSummaryJson(counts))}\n`;
  else if (!argv.quiet) yield formatFindSummary(counts);
}

export const findCommand: CommandModule<GlobalArgs, Args> = {
  command: 'find <patterns..>',
  describe: 'list the snapshots that hold files matching a pattern',
  builder: (y) => y
    .option('snapshot', repeatable('search only this snapshot (default: all)'))
    .positional('patterns', { type: 'string', array: true, describe: 'globs (* ? **): on the name, or on the whole path when they contain "/"', demandOption: true })
    .option('host', { type: 'string', describe: 'only snapshots of this host' })
    .option('newest', { type: 'number', requiresArg: true, describe: 'only the N newest snapshots' })
    .example("$0 find '*.conf'", 'every .conf file, in every snapshot')
    .example("$0 find --newest 3 '/home/*/notes.txt'", 'a path pattern, in the 3 newest snapshots')
    .epilogue('Patterns follow --exclude: "*" and "?" stay within one path component, "**" crosses them; a pattern with a "/" '
      + 'is matched against the path inside the snapshot, as ls shows it. Folders match too. Matches are listed snapshot by '
      + 'snapshot, oldest first: short id, snapshot time, size (or kind), mtime (UTC), path; then a count (not with -q).\n'
      + 'With --json: {"type":"match", snapshot, snapshot_time, host, path, path_base64, kind, size, mtime, mtime_ns}, '
      + 'then {"type":"summary", matches, snapshots_matched, snapshots}.\nExit status 0 whether or not anything matched.'),
  handler: async (argv) => {
    await withRepository(argv, { lock: 'none', command: 'find' }, async (repo) => {
      const found = await findInSnapshots(repo, { patterns: argv.patterns, snapshots: argv.snapshot, host: argv.host, newest: argv.newest });
      await streamToStdout(batchLines(lines(found, argv)));
    });
  },
};
