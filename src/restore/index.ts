// src/restore owns reading snapshots back out: writing a snapshot or a path in it into a
// folder (restoreSnapshot.ts), with its metadata, special files and hard links, never following
// a symlink at the destination; `cat` and `ls` of a path; locating SNAPSHOT[:PATH]; which paths a
// restore selects.
//
// Invariants: a restore never writes outside its target and never changes the repository; a
// damaged or missing chunk leaves its range as zeros and is reported, and the restore goes on.
//
// Must not touch: packs or the index (blocks come through BlockReader/BlockSource), the
// catalog beyond reading it, or locks beyond the shared one it is given.
