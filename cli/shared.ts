// What every command handler shares: the global options, opening the repository they name,
// and printing a result as text or as one JSON object.
import type { Argv } from 'yargs';
import { durationToMs, parseDuration } from '../src/core/duration.js';
import { defaultRepoPath } from '../src/repo/layout.js';
import { openRepository, type OpenOptions, type Repository } from '../src/repo/repository.js';
import { createProgress, type Progress } from '../src/ui/progress.js';

export interface GlobalArgs { repo?: string; json?: boolean; quiet?: boolean; 'lock-wait'?: string }

export async function withRepository<T>(argv: GlobalArgs, opts: Omit<OpenOptions, 'onNotice'>, work: (repo: Repository) => Promise<T>): Promise<T> {
  const repo = await openRepository(defaultRepoPath(argv.repo), { ...opts, onNotice: (msg) => notice(argv, msg) });
  try {
    return await work(repo);
  } finally {
    await repo.close();
  }
}

/** A one-line remark on stderr ("created repository ..."); silent with --quiet. */
export function notice(argv: GlobalArgs, message: string): void {
  if (!argv.quiet) process.stderr.write(`${message}\n`);
}

export function progressFor(argv: GlobalArgs, verb: string, verbose?: boolean): Progress {
  return createProgress({ quiet: argv.quiet, json: argv.json, verb, verbose });
}

/** Prints `value` as JSON with --json, else the text `human()` makes. */
export function output(argv: GlobalArgs, value: unknown, human: () => string): void {
  process.stdout.write(argv.json ? `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n` : human());
}

/** Sets exit status 3 when the command finished but had warnings. */
export function exitWithWarnings(warnings: number): void {
  if (warnings > 0 && !process.exitCode) process.exitCode = 3;
}

export function repeatable(yargs: Argv, name: string, describe: string): Argv {
  return yargs.option(name, { type: 'string', array: true, describe, default: [] as string[] });
}

/** The --lock-wait option of a command that locks the repository: `.option('lock-wait', LOCK_WAIT_OPTION)`. */
export const LOCK_WAIT_OPTION = { type: 'string', describe: 'wait this long for a lock (e.g. 30s, 5min); default: fail at once' } as const;

/** --lock-wait in milliseconds; 0 when it is not given. */
export function lockWaitMs(argv: GlobalArgs): number {
  return argv['lock-wait'] ? durationToMs(parseDuration(argv['lock-wait'])) : 0;
}
