// `dedupfs check`: is everything the snapshots need there and intact?
import type { CommandModule } from 'yargs';
import { check, parseReadDataSubset } from '../../src/lifecycle/index.js';
import { EXIT } from '../../src/ui/exitCodes.js';
import { checkHint, formatCheck } from '../../src/ui/formatCheck.js';
import { LOCK_WAIT_OPTION, hint as printHint, lockWaitMs, summary, progressFor, withRepository, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { 'read-data'?: boolean; 'read-data-subset'?: string }

export const checkCommand: CommandModule<GlobalArgs, Args> = {
  command: 'check',
  describe: 'check the repository: packs, index, snapshot trees and, with --read-data, every block',
  builder: (y) => y
    .option('read-data', { type: 'boolean', describe: 'also read, decompress and re-hash every block; damaged copies are taken out of the index so the next ingest stores them again' })
    .option('read-data-subset', { type: 'string', describe: 'read only part of the packs: N/M (the N-th of M parts) or N% (at random)' })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 check --read-data-subset "$(date +%u)/7"', 'read all data once a week, a seventh each night (%u: 1-7, Monday first)')
    .epilogue('Exit status 1 when anything is wrong. Damaged blocks are listed with the snapshots and paths that need them. '
      + 'Snapshot files are read and must match their ids; tree names must be safe and unique. What to do next is printed on stderr as "hint: ...". '
      + 'With --json: {"type":"summary", ok, snapshots, packs, packProblems, indexProblems, damagedBlocks:[{address, pack, offset, reason, snapshots:[{id, time, paths}]}], '
      + 'damagedSnapshots, snapshotFiles:[{id, file, problem}], unsafeNames:[{tree, name, problem}], markedBad, configSuspect, hint, ...}.'),
  handler: async (argv) => {
    const subset = argv['read-data-subset'] !== undefined ? parseReadDataSubset(argv['read-data-subset']) : undefined;
    const progress = progressFor(argv, 'checking');
    const report = await withRepository(argv, { lock: 'shared', command: 'check', readOnly: true, lockWaitMs: lockWaitMs(argv) },
      (repo) => check(repo, { readData: argv['read-data'] || !!subset, subset, reporter: progress }));
    progress.finish();
    const hint = checkHint(report);
    summary(argv, { type: 'summary', ...report, hint: hint ?? null }, () => formatCheck(report));
    if (hint) printHint(hint);
    if (!report.ok) process.exitCode = EXIT.ERROR;
  },
};
