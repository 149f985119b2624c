// Which entries a restore writes. A name from the repository is created only when it is a
// plain name: not empty, not "." or "..", without "/" or NUL, so no name can reach outside its
// folder. --exclude drops an entry and all below it; --include keeps an entry and all below it
// (everything, when no --include is given). Patterns match the path inside the snapshot with
// the same rules as ingest's --exclude (src/core/excludes.ts): a pattern without a slash
// matches a name at any depth, one with a slash the whole path ("/etc/*.conf").
import { Excludes } from '../core/excludes.js';

/** unsafe: never created; excluded: dropped with what is below; included: restored; outside: not
 * restored itself, but a folder is still searched for included entries. */
export type Verdict = 'unsafe' | 'excluded' | 'included' | 'outside';

const SLASH = 0x2f, NUL = 0x00, DOT = 0x2e;

export function isSafeName(name: Buffer): boolean {
  if (name.length === 0 || name.includes(SLASH) || name.includes(NUL)) return false;
  return !(name[0] === DOT && (name.length === 1 || (name.length === 2 && name[1] === DOT)));
}

export class Selection {
  // An Excludes is a set of glob rules; for --include it answers "does a rule match".
  private readonly includes: Excludes;
  private readonly excludes: Excludes;

  constructor(include: string[] = [], exclude: string[] = []) {
    this.includes = new Excludes(include);
    this.excludes = new Excludes(exclude);
  }

  /** whether the top of the restore counts as included before any pattern is tried */
  get includesAll(): boolean {
    return this.includes.empty;
  }

  /** The verdict on the entry `name` at snapshot path `path`, below a folder that is (not) included. */
  classify(name: Buffer, path: Buffer, parentIncluded: boolean): Verdict {
    if (!isSafeName(name)) return 'unsafe';
    if (this.excludes.matches(name, path)) return 'excluded';
    return parentIncluded || this.includes.matches(name, path) ? 'included' : 'outside';
  }
}
