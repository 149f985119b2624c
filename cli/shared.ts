// What every command handler shares: the global options, opening the repository they name,
// printing a result as text or as one JSON object, and the option kinds several commands
// declare alike (repeatable options, the snapshot scope).
import type { Argv } from 'yargs';
import { resolve } from 'node:path';
import type { SnapshotFilter } from '../src/catalog/catalog.js';
import { durationToMs, parseDuration } from '../src/core/duration.js';
import { defaultRepoPath } from '../src/core/layout.js';
import { DedupfsError } from '../src/core/errors.js';
import { parseRepoLocation } from '../src/backend/parseRepoLocation.js';
import type { EncryptionName } from '../src/repo/config.js';
import { openRepository, type OpenOptions, type Repository } from '../src/repo/repository.js';
import type { RequestCounts } from '../src/backend/backend.js';
import type { PasswordSource, RepoKeys } from '../src/repo/repoKeys.js';
import { createProgress, type Progress } from '../src/ui/progress.js';
import { holdSummary } from './heldSummary.js';

export interface GlobalArgs { repo?: string; json?: boolean; quiet?: boolean; 'lock-wait'?: string; 'password-file'?: string; 'password-command'?: string }

/** An encrypted repository's keys once opened: a command that opens it twice (forget, then gc) asks once. */
let openedKeys: RepoKeys | undefined;

export async function withRepository<T>(argv: GlobalArgs, opts: Omit<OpenOptions, 'onNotice'>, work: (repo: Repository) => Promise<T>): Promise<T> {
  const password = passwordSource(argv);
  const repo = await openRepository(defaultRepoPath(argv.repo), {
    ...opts, password, keys: openedKeys, onNotice: (msg) => notice(argv, msg), ...(opts.init ? { init: { password, ...opts.init } } : {}),
  });
  openedKeys = repo.keys;
  try {
    return await work(repo);
  } finally {
    await repo.close();
    if (repo.remote) lastRequests = repo.backend.requestCounts();
  }
}

let lastRequests: RequestCounts | undefined;

/** The requests the last repository in a bucket cost, from its opening to its closing; undefined for a folder. */
export function bucketRequests(): RequestCounts | undefined {
  return lastRequests;
}

/** Where the password comes from: --password-file, --password-command (the environment otherwise: repoKeys.ts). */
export function passwordSource(argv: GlobalArgs): PasswordSource {
  return { file: argv['password-file'], command: argv['password-command'] };
}

/** --encryption of the commands that create a repository (init, ingest --init, copy --init). */
export const ENCRYPTION_OPTION = {
  type: 'string', describe: 'a new repository: seal every block and snapshot record under a password (--encryption), or keep it plain (--encryption none); a bucket (s3:) is encrypted unless --encryption none, a folder plain unless --encryption',
} as const;

/**
 * The encryption of a new repository at `dir`: `--encryption` alone (or v1) seals it, `none`
 * keeps it plain; without the option a bucket is encrypted (a backup that leaves the machine
 * must be) and a folder gets `fallback` (plain, unless the caller says otherwise).
 */
export function newEncryption(value: string | undefined, dir: string, fallback?: EncryptionName): EncryptionName | undefined {
  if (value === '' || value === 'v1') return 'v1';
  if (value === 'none') return 'none';
  if (value !== undefined) throw new DedupfsError('USAGE', `invalid encryption '${value}' (use --encryption alone, or --encryption none)`);
  return parseRepoLocation(dir).kind === 's3' ? 'v1' : fallback;
}

/** A one-line remark on stderr ("created repository ..."); silent with --quiet. */
export function notice(argv: GlobalArgs, message: string): void {
  if (!argv.quiet) process.stderr.write(`${message}\n`);
}

/** A hint after a command found trouble (check, repair): on stderr, even with --quiet. */
export function hint(message: string): void {
  process.stderr.write(`hint: ${message}\n`);
}

export function progressFor(argv: GlobalArgs, verb: string, verbose?: boolean): Progress {
  return createProgress({ quiet: argv.quiet, json: argv.json, verb, verbose });
}

/** Prints `value` as JSON with --json, else the text `human()` makes: a command's purpose output (snapshots, stats). */
export function output(argv: GlobalArgs, value: unknown, human: () => string): void {
  process.stdout.write(argv.json ? `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n` : human());
}

/**
 * Prints a command's closing summary like output(); with --quiet (and no --json) the text is
 * held back and printed only if the command ends with a non-zero status (printHeldSummary), so
 * a quiet command that succeeds prints nothing while a failed check still shows what failed
 * (cli/heldSummary.ts).
 */
export function summary(argv: GlobalArgs, value: unknown, human: () => string): void {
  if (argv.quiet && !argv.json) holdSummary(human());
  else output(argv, value, human);
}

/** Sets exit status 3 when the command finished but had warnings. */
export function exitWithWarnings(warnings: number): void {
  if (warnings > 0 && !process.exitCode) process.exitCode = 3;
}

/**
 * The declaration of a repeatable option, `.option('tag', repeatable('tag the snapshot'))`: one
 * value per flag (`--tag a --tag b`, `--tag=a`), anywhere on the line, never taking the
 * operands after it; "(repeatable)" is appended to `describe`.
 */
export function repeatable(describe: string) {
  return { type: 'string', array: true, nargs: 1, requiresArg: true, default: [] as string[], describe: `${describe} (repeatable)` } as const;
}

export interface ScopeArgs { host?: string; path?: string; tag: string[] }

/** Declares --host, --path and --tag: which snapshots a selector (latest, latest~N, an id prefix) chooses among. */
export function scopeOptions<T>(yargs: Argv<T>, what = 'choose only among snapshots') {
  return yargs
    .option('host', { type: 'string', requiresArg: true, describe: `${what} of this host` })
    .option('path', { type: 'string', requiresArg: true, describe: `${what} of this source path` })
    .option('tag', repeatable(`${what} with this tag (all must match)`));
}

/** The snapshot filter --host, --path and --tag name. */
export function scopeOf(argv: ScopeArgs): SnapshotFilter {
  return { host: argv.host, path: argv.path === undefined ? undefined : resolve(argv.path), tags: argv.tag };
}

/** The --lock-wait option of a command that locks the repository: `.option('lock-wait', LOCK_WAIT_OPTION)`. */
export const LOCK_WAIT_OPTION = { type: 'string', describe: 'wait this long for a lock (e.g. 30s, 5min); default: fail at once' } as const;

/** --lock-wait in milliseconds; 0 when it is not given. */
export function lockWaitMs(argv: GlobalArgs): number {
  return argv['lock-wait'] ? durationToMs(parseDuration(argv['lock-wait'])) : 0;
}
