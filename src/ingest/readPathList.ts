// `ingest --files-from F` and `--files-from0 F`: the paths to store, read from a file. With
// --files-from, one path a line; empty lines and lines starting with # are skipped (as in
// --exclude-file), and a trailing carriage return is dropped. With --files-from0, paths are
// separated by NUL bytes (find -print0) and taken as they are, so any name can be given.
import { readFile } from 'node:fs/promises';
import { ioError } from '../core/errors.js';

/** The paths listed in `file`; `nul`: NUL-separated and verbatim. */
export async function readPathList(file: string, nul: boolean): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw ioError(err, 'cannot read path list', file);
  }
  if (nul) return text.split('\0').filter((p) => p);
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() && !l.startsWith('#'));
}
