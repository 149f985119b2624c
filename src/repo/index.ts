// src/repo owns opening a repository: where it is (a folder or s3:), its config.json, its keys
// (an encrypted repository's keyring, passwords, rollback protection), its locks, and the local
// cache of a bucket; it joins a backend, the block store and the catalog into one Repository for
// a command (repository.ts, bucketRepository.ts).
//
// Invariants: a command works on a repository only under a lock of the right kind; a bad
// --repo, config or password is refused with one line before anything is written; the format
// number says what a reader must understand.
//
// Must not touch: pack insides or the index (it builds the store and hands it out), snapshots'
// contents, or anything a command decides. It is the one area that builds the store from its
// parts rather than through src/store/index.ts.
