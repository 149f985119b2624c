// src/mount owns the FUSE view of a repository: snapshots as read-only files and folders.
// It is one more reader of the block store and the catalog and never writes to either.
// Invariants: nothing here blocks the event loop (FUSE callbacks run on the JavaScript thread,
// and a blocked thread can never answer the kernel); fuse-native is loaded only by
// mountRepository (loadFuse.ts), so nothing else needs libfuse; every change is refused with EROFS.
export { mountRepository } from './mountRepository.js';
export type { MountOptions, MountedRepository } from './mountRepository.js';
export { unmountMountPoint } from './unmountMountPoint.js';
export type { UnmountOptions } from './unmountMountPoint.js';
