// `cat`: one regular file's content from a snapshot, as a stream of buffers in order. The
// consumer pulls, so a slow reader slows the reads (bounded memory for any file size); a damaged
// chunk ends the stream with an error naming the file.
import { DedupfsError } from '../core/errors.js';
import type { Repository } from '../repo/repository.js';
import { escapeName } from '../tree/nameEscape.js';
import { readFileContent } from '../tree/readFileContent.js';
import { locateSnapshotPath, type SnapshotPathOptions } from './locateSnapshotPath.js';

/** Resolves the file first (so a bad path fails before any output), then streams it. */
export async function catFile(repo: Repository, opts: SnapshotPathOptions): Promise<AsyncGenerator<Buffer>> {
  const loc = await locateSnapshotPath(repo, opts);
  const display = loc.isRoot ? '/' : escapeName(loc.path);
  if (loc.entry.kind !== 'file') {
    const what = loc.entry.kind === 'dir' ? 'a folder' : loc.entry.kind === 'symlink' ? `a symlink to ${escapeName(loc.entry.target ?? Buffer.alloc(0))}` : `a ${loc.entry.kind}`;
    throw new DedupfsError('NOT_FOUND', `${display} in snapshot ${loc.snapshot.id.slice(0, 8)} is ${what}, not a file`, { data: { path: display, kind: loc.entry.kind } });
  }
  async function* stream(): AsyncGenerator<Buffer> {
    try {
      for await (const piece of readFileContent(repo.store, loc.entry.content)) yield piece.data;
    } catch (err) {
      if (!(err instanceof DedupfsError)) throw err;
      throw new DedupfsError(err.code, `cannot read ${display}: ${err.message}`, { data: { ...err.data, path: display }, cause: err });
    }
  }
  return stream();
}
