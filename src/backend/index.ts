// src/backend: where a repository's objects are stored, behind one interface (backend.ts).
//
// Owns: the Backend interface and its two implementations (a local folder, an S3 bucket),
// parsing of --repo values ('s3:URL/BUCKET[/PREFIX]' or a folder), the S3 settings, retries and
// request counts, and the lock protocol that works on any backend (backendLock.ts).
//
// Invariants: an object is visible only when complete; keys are repository-relative and
// '/'-separated; every error a user can reach is a DedupfsError naming the object or the
// server. Design and failure cases: docs/BACKENDS.md.
//
// Must not touch: packs' insides, the index, the catalog or snapshots. This area imports only
// src/core (the owner-only modes are src/core/layout.ts); everything above the block store
// reaches objects through the store, never through a backend.
export type { Backend, ObjectInfo, RequestCounts, RequestKind } from './backend.js';
export { FolderBackend } from './folderBackend.js';
export { S3Backend, openS3Backend } from './s3Backend.js';
export { openBackend } from './openBackend.js';
export { parseRepoLocation, formatS3Location, type RepoLocation, type S3Location } from './parseRepoLocation.js';
export { s3SettingsFromEnv, type S3Settings } from './s3Settings.js';
export { acquireBackendLock, readLocks, type BackendLock, type BackendLockOptions } from './backendLock.js';
