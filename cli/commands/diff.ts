// `dedupfs diff SNAP1 SNAP2 [PATH]`: what was added, removed and changed between two snapshots.
import type { CommandModule } from 'yargs';
import { diffSnapshots, type SnapshotDiff } from '../../src/diff/diffSnapshots.js';
import { countDiffItem, emptyDiffSummary } from '../../src/diff/diffSummary.js';
import { diffJson, diffSummaryJson, formatDiffLine, formatDiffSummary } from '../../src/ui/formatDiff.js';
import { batchLines } from '../../src/ui/batchLines.js';
import { streamToStdout } from '../../src/ui/streamOut.js';
import { withRepository, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { snapshot1: string; snapshot2: string; path?: string }

async function* lines(diff: SnapshotDiff, argv: Args): AsyncGenerator<string> {
  const summary = emptyDiffSummary();
  for await (const item of diff.items) {
    countDiffItem(summary, item);
    yield argv.json ? `${JSON.stringify(diffJson(item))}\n` : formatDiffLine(item);
  }
  if (argv.json) yield `${JSON.stringify(diffSummaryJson(diff.before, diff.after, summary))}\n`;
  else if (!argv.quiet) yield formatDiffSummary(diff.before, diff.after, summary);
}

export const diffCommand: CommandModule<GlobalArgs, Args> = {
  command: 'diff <snapshot1> <snapshot2> [path]',
  describe: 'show files added, removed and changed between two snapshots',
  builder: (y) => y
    .positional('snapshot1', { type: 'string', describe: 'the earlier snapshot (id, prefix, latest, latest~N)', demandOption: true })
    .positional('snapshot2', { type: 'string', describe: 'the later snapshot', demandOption: true })
    .positional('path', { type: 'string', describe: 'compare only this path inside both (default: everything)' })
    .example('$0 diff latest~1 latest', 'what the last ingest changed')
    .example('$0 diff --json 1a2b3c4d latest /etc', 'changes under /etc, one JSON object per line')
    .epilogue('Lines: "+ PATH" added, "- PATH" removed, "M PATH" content changed, "U PATH" metadata only (mode, owner, mtime, xattrs), '
      + '"T PATH" type changed; folders end with "/", file sizes follow in parentheses; a summary line ends the list (not with -q). '
      + 'Folders whose tree is the same in both snapshots are not read at all.\n'
      + 'With --json: {"type":"added"|"removed", path, path_base64, kind, size} or {"type":"changed", path, path_base64, kind, kind_before, '
      + 'aspects:["content"|"metadata"|"type"], size_before, size_after}, then {"type":"summary", before, after, added, removed, changed, '
      + 'content, metadata, type_changes, bytes_added, bytes_removed}.\nExit status 0 whether or not anything changed.'),
  handler: async (argv) => {
    await withRepository(argv, { lock: 'none', command: 'diff' }, async (repo) => {
      const diff = await diffSnapshots(repo, { before: argv.snapshot1, after: argv.snapshot2, path: argv.path });
      await streamToStdout(batchLines(lines(diff, argv)));
    });
  },
};
