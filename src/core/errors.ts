// The one error type a user can reach. Every failure that a person can cause or fix (a bad
// path, a locked or damaged repository, a bad flag) is a DedupfsError with a stable code; the
// CLI prints its message and hint on one line each and turns the code into an exit status
// (src/ui/exitCodes.ts). Anything else that escapes is a bug and is reported as one.

export type ErrorCode =
  | 'USAGE'              // bad flag, value or argument
  | 'NOT_FOUND'          // a source path, snapshot path or file that does not exist
  | 'NO_REPOSITORY'      // the repository folder does not exist or is not a repository
  | 'REPO_NEWER'         // the repository was written by a newer dedupfs
  | 'REPO_DAMAGED'       // config, index, catalog or pack is unreadable or inconsistent
  | 'LOCKED'             // a lock could not be had
  | 'SNAPSHOT'           // an unknown or ambiguous snapshot selector
  | 'EXISTS'             // the target exists and --overwrite was not given
  | 'BLOCK_DAMAGED'      // a block is missing or its bytes do not hash to its address
  | 'IO'                 // an operating-system error on a named path
  | 'REPO_WRITE'         // the repository cannot be written (full disk, I/O error): the command stops
  | 'MOUNT'              // a mount point problem
  | 'WRONG_PASSWORD'     // no key of the repository opens with the password given
  | 'PASSWORD_MISSING'   // no password could be had (no source set and no terminal), or it was empty
  | 'KEY'                // a key cannot do this (a write-only key reading; removing the last full key)
  | 'INTERRUPTED'        // stopped by SIGINT (Ctrl-C); what was done is kept
  | 'TERMINATED';        // stopped by SIGTERM (a cron timeout, a shutdown); what was done is kept

export class DedupfsError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly data?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: { hint?: string; data?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'DedupfsError';
    this.code = code;
    this.hint = opts.hint;
    this.data = opts.data;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, ...this.data };
  }
}

/** Turns an operating-system error on `path` into a one-line DedupfsError. */
export function ioError(err: unknown, what: string, path: string): DedupfsError {
  const e = err as NodeJS.ErrnoException;
  const reason = e?.code === 'ENOENT' ? 'does not exist'
    : e?.code === 'EACCES' || e?.code === 'EPERM' ? 'permission denied'
    : e?.code === 'ENOSPC' ? 'no space left on device'
    : e?.code === 'ENOTDIR' ? 'not a directory'
    : e?.code === 'EISDIR' ? 'is a directory'
    : (e?.message ?? String(err));
  return new DedupfsError(e?.code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `${what} ${path}: ${reason}`, { cause: err, data: { path, errno: e?.code } });
}
