// --exclude-caches and --exclude-if-present: a folder that holds a marker file is stored with
// the marker alone, its other contents left out. This is what tar does (--exclude-caches,
// --exclude-tag): the folder and its marker stay in the snapshot, so a restore brings back the
// marker and the program that owns the cache sees it still marked. A CACHEDIR.TAG counts only
// when it is a regular file that begins with the signature line of the Cache Directory Tagging
// Specification (https://bford.info/cachedir/); any file named by --exclude-if-present counts,
// whatever it holds.
import { closeSync, constants, openSync, readSync } from 'node:fs';

export const CACHEDIR_TAG = 'CACHEDIR.TAG';
const SIGNATURE = Buffer.from('Signature: 8a477f597d28d172789f06886806bc55');
const SLASH = Buffer.from('/');

export interface FolderMarkersOptions {
  /** honour CACHEDIR.TAG files */
  caches?: boolean;
  /** names whose presence marks a folder */
  names?: string[];
}

export class FolderMarkers {
  private readonly names: Buffer[];

  constructor(private readonly opts: FolderMarkersOptions = {}) {
    this.names = (opts.names ?? []).filter((n) => n).map((n) => Buffer.from(n));
  }

  /**
   * The entries of folder `dir` (named `names`) to store: all of them, or, when the folder is
   * marked, only its marker files.
   */
  filter(dir: Buffer, names: Buffer[]): Buffer[] {
    if (!this.opts.caches && !this.names.length) return names;
    const markers = names.filter((n) => this.names.some((m) => m.equals(n))
      || (this.opts.caches && n.toString('latin1') === CACHEDIR_TAG && isCacheTag(Buffer.concat([dir, SLASH, n]))));
    return markers.length ? markers : names;
  }
}

/** true when `path` is a regular file that starts with the CACHEDIR.TAG signature. */
function isCacheTag(path: Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return false; // a symlink, or unreadable: not a tag (the walk warns about it if it matters)
  }
  try {
    const head = Buffer.alloc(SIGNATURE.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SIGNATURE);
  } catch {
    return false; // a folder named CACHEDIR.TAG, say
  } finally {
    closeSync(fd);
  }
}
