// Inode numbers for the mount. The stored inode numbers cannot be reused: entries of different
// snapshots (and sources) would collide. Instead every node gets the next number when it is
// first made, and all names of one hard-linked file (one linkId within one snapshot) get the
// same number, so `ls -i`, `find -samefile` and `cp -a` see them as one file.
// fuse-native passes st_ino as 32 bits; a mount would need four billion nodes to wrap.

/** Hands out inode numbers; 1 is the mount's root. */
export class InodeAllocator {
  private last = 1;

  next(): number {
    this.last = this.last >= 0xffffffff ? 2 : this.last + 1;
    return this.last;
  }
}

/** The inode numbers of the hard-link groups of one snapshot. */
export class LinkInodes {
  private readonly byLinkId = new Map<string, number>();

  constructor(private readonly inodes: InodeAllocator) {}

  /** The number shared by every entry with this linkId (or a fresh one without a linkId). */
  forEntry(linkId: string | undefined): number {
    if (linkId === undefined) return this.inodes.next();
    let ino = this.byLinkId.get(linkId);
    if (ino === undefined) {
      ino = this.inodes.next();
      this.byLinkId.set(linkId, ino);
    }
    return ino;
  }
}
