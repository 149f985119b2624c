// Loads fuse-native only when a mount is made. It is an optional dependency and needs the
// system's libfuse.so.2 (Debian: apt-get install libfuse2 fuse), so importing it at the top of
// any module would break every other command on a machine without FUSE.
import { DedupfsError } from '../core/errors.js';

/** The part of fuse-native's API the mount uses. */
export interface Fuse {
  mount(cb: (err: Error | null) => void): void;
  unmount(cb: (err: Error | null) => void): void;
}

export interface FuseClass {
  new (mountpoint: string, ops: Record<string, (...args: any[]) => void>, opts: Record<string, unknown>): Fuse;
}

const INSTALL_HINT = 'install FUSE (Debian, Ubuntu: apt-get install libfuse2 fuse) and make sure /dev/fuse exists';

/**
 * Imports fuse-native (or `specifier`, for tests).
 * @throws DedupfsError MOUNT when the module or the libfuse it needs cannot be loaded.
 */
export async function loadFuse(specifier = 'fuse-native'): Promise<FuseClass> {
  try {
    const mod = await import(specifier) as { default: FuseClass };
    return mod.default;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missingModule = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND';
    const why = missingModule
      ? `the ${specifier} package is not installed (it is an optional dependency of dedupfs)`
      : `${specifier} cannot load libfuse: ${e?.message?.split('\n')[0] ?? String(err)}`;
    throw new DedupfsError('MOUNT', `cannot mount: ${why}`, {
      hint: missingModule ? `reinstall dedupfs with its optional dependencies (npm install --include=optional), then ${INSTALL_HINT}` : INSTALL_HINT,
      cause: err,
    });
  }
}
