// What both mounts (read-only and writable) ask of the kernel's FUSE driver, in one place: the
// caches they can both afford (every change passes through the kernel, which keeps its caches up
// to date) and how far ahead a file is read for a given block cache.

const MAX_READ_AHEAD = 8 << 20;

export interface KernelOptionChoices {
  /** the fsname field: the source shown in /proc/mounts, then mount options libfuse passes on */
  fsname: string;
  allowOther: boolean;
  /** ms before an unanswered request fails with EIO, or false for never */
  timeout: number | false;
}

export function kernelOptions({ fsname, allowOther, timeout }: KernelOptionChoices): Record<string, unknown> {
  return { fsname, subtype: 'dedupfs', attrTimeout: 5, entryTimeout: 5, kernelCache: true, defaultPermissions: true, allowOther, timeout };
}

/** Bytes read ahead of a reader: a quarter of the block cache, at most 8 MiB. */
export function readAheadFor(cacheBytes: number): number {
  return Math.min(MAX_READ_AHEAD, Math.floor(cacheBytes / 4));
}
