// Renders a failure for a person (one line, plus a hint line) or a script (--json: an
// exit_error object on stderr), and sets the exit status. Stack traces only with DEDUPFS_DEBUG=1.
import { DedupfsError } from '../core/errors.js';
import { EXIT, exitCodeFor } from './exitCodes.js';

const debug = () => process.env.DEDUPFS_DEBUG === '1';
const wantsJson = () => process.argv.includes('--json');

export function reportUsage(msg: string, hint?: string): never {
  if (wantsJson()) process.stderr.write(JSON.stringify({ type: 'exit_error', code: 'USAGE', message: msg, hint }) + '\n');
  else process.stderr.write(`dedupfs: ${msg}\n${hint ? `  ${hint}` : "Try 'dedupfs --help' (or 'dedupfs COMMAND --help') for usage."}\n`);
  process.exit(EXIT.USAGE);
}

export function reportFatal(err: unknown): void {
  if (err instanceof DedupfsError) {
    if (wantsJson()) process.stderr.write(JSON.stringify({ type: 'exit_error', ...err.toJSON() }) + '\n');
    else {
      process.stderr.write(`dedupfs: ${err.message}\n`);
      if (err.hint) process.stderr.write(`  ${err.hint}\n`);
      else if (err.code === 'USAGE') process.stderr.write(`Try 'dedupfs --help' (or 'dedupfs COMMAND --help') for usage.\n`);
    }
    if (debug()) process.stderr.write(`${err.stack}\n`);
    process.exitCode = exitCodeFor(err.code);
    return;
  }
  const e = err as Error;
  process.stderr.write(`dedupfs: internal error: ${e?.message ?? String(err)}\n`);
  process.stderr.write(debug() ? `${e?.stack}\n` : '  This is a bug; run again with DEDUPFS_DEBUG=1 for details and report it.\n');
  process.exitCode = EXIT.ERROR;
}
