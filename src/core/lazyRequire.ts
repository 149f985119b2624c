// Native addons (BLAKE3, zstd, LMDB, xattrs) are loaded on first use, not when a module that
// uses them is imported: `--version`, `--help` and `snapshots` then load none of them, and a
// command starts faster (README, "Performance": start-up).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A function that returns package `id`, required on its first call. */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
