// `dedupfs ls SNAPSHOT[:PATH]`: list a folder (or one entry) of a snapshot.
import type { CommandModule } from 'yargs';
import { parseSnapshotPath, selectScoped } from '../../src/catalog/selectSnapshot.js';
import { listSnapshotPath, type Listing } from '../../src/restore/listSnapshotPath.js';
import { formatListingLine, listingJson, listingSummaryJson } from '../../src/ui/formatListing.js';
import { streamToStdout } from '../../src/ui/streamOut.js';
import { scopeOf, scopeOptions, withRepository, type GlobalArgs, type ScopeArgs } from '../shared.js';

interface Args extends GlobalArgs, ScopeArgs { spec: string; long?: boolean; recursive?: boolean }

async function* lines(listing: Listing, argv: Args): AsyncGenerator<string> {
  let entries = 0, text = '';
  for await (const item of listing.items) {
    entries++;
    text += argv.json ? `${JSON.stringify(listingJson(item))}\n` : formatListingLine(item, item.path.subarray(listing.base + 1), !!argv.long);
    if (text.length >= 1 << 16) {
      yield text;
      text = '';
    }
  }
  if (argv.json) text += `${JSON.stringify(listingSummaryJson(listing.snapshot.id, listing.path, entries))}\n`;
  if (text) yield text;
}

export const lsCommand: CommandModule<GlobalArgs, Args> = {
  command: 'ls <spec>',
  describe: 'list the entries of a folder in a snapshot',
  builder: (y) => scopeOptions(y)
    .positional('spec', { type: 'string', describe: 'SNAPSHOT[:PATH], e.g. latest:/etc', demandOption: true })
    .option('long', { alias: 'l', type: 'boolean', describe: 'mode, owner, group, size, mtime, name (and -> target)' })
    .option('recursive', { alias: 'R', type: 'boolean', describe: 'list sub-folders too (paths relative to the listed folder)' })
    .example('$0 ls -l latest:/etc', 'list one folder')
    .epilogue('Names that are not UTF-8 are shown with \\xHH escapes (and \\\\ for a backslash); type them the same way in PATH.\n'
      + 'With --json: one object per line, {"type":"entry", path, name, kind, mode, size, ...} with the exact bytes in path_base64, '
      + 'name_base64 and target_base64, then {"type":"summary", snapshot, entries}.'),
  handler: async (argv) => {
    await withRepository(argv, { lock: 'none', command: 'ls', readOnly: true }, async (repo) => {
      const { selector, path } = parseSnapshotPath(argv.spec);
      const listing = await listSnapshotPath(repo, { snapshot: selectScoped(repo.catalog, selector, scopeOf(argv)).id, path, recursive: argv.recursive });
      await streamToStdout(lines(listing, argv));
    });
  },
};
