// Trees deeper than PATH_MAX (4096 bytes): a path that long fails with ENAMETOOLONG, and Node has
// no openat(). Ingest and restore open a folder once its path passes LONG_PATH and name its
// entries through the descriptor, /proc/self/fd/N/NAME (Linux), which keeps every path short.

/** A folder whose path is longer than this is opened and its entries named through its descriptor. */
export const LONG_PATH = 2048;

/** The path of `name` inside the folder open as `fd`, short whatever the folder's depth. */
export function throughDescriptor(fd: number, name?: Buffer): Buffer {
  const dir = Buffer.from(`/proc/self/fd/${fd}`);
  return name ? Buffer.concat([dir, Buffer.from('/'), name]) : dir;
}
