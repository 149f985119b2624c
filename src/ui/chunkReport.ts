// How `dedupfs chunk` shows its result: per file, one line per chunk and a summary line, or the
// JSON value documented in the command's help.
import { chunkStats, type FileChunks, type ListedChunk } from '../chunker/index.js';
import { formatBytes } from '../core/size.js';
import { formatCount } from './formatCount.js';

function formatFileChunks({ chunks }: FileChunks): string {
  const offsetWidth = Math.max(6, ...chunks.map((c) => String(c.offset).length));
  const lengthWidth = Math.max(6, ...chunks.map((c) => String(c.length).length));
  const line = (offset: string, length: string, sha256: string) => `${offset.padStart(offsetWidth)}  ${length.padStart(lengthWidth)}  ${sha256}\n`;
  const s = chunkStats(chunks.map((c) => c.length));
  const round = (n: number) => Math.round(n).toString();
  return line('offset', 'length', 'sha256')
    + chunks.map((c) => line(String(c.offset), String(c.length), c.sha256)).join('')
    + `${formatCount(s.count, 'chunk')}, ${formatCount(s.totalBytes, 'byte')} (${formatBytes(s.totalBytes)}): mean ${round(s.mean)}, stddev ${round(s.stddev)}, `
    + `smallest ${s.smallest}, largest ${s.largest}\n`;
}

/** Text for people: the chunk table and summary of each file, under a "file:" heading when there are several. */
export function formatChunkReport(files: FileChunks[]): string {
  if (files.length === 1) return formatFileChunks(files[0]);
  return files.map((f) => `${f.file}:\n${formatFileChunks(f)}`).join('\n');
}

/** The --json value: one file gives its array of chunks, several give [{file, chunks}]. Hashes are bigints (print as decimal strings). */
export function chunkReportJson(files: FileChunks[]): ListedChunk[] | FileChunks[] {
  return files.length === 1 ? files[0].chunks : files;
}
