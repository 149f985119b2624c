// A write-only host's own record of the trees it stored. A write-only key opens no block, so
// the host cannot read back the trees of its last snapshot to see which files are unchanged;
// without them every file is read again at every run. So the host keeps, on the machine and
// owner-only (beside its catalog, $XDG_CACHE_HOME/dedupfs/ID/), the plaintext of every tree
// block its last ingest of the same source paths stored: the entries' metadata and the
// addresses of their content (chunk list or chunks). The next ingest takes it as its parent's
// trees: an unchanged file (size, times, inode) whose blocks the index still holds is not read.
//
//   file  := (address(32) length(u32le) tree-bytes)*
//
// Written whole after the snapshot is, by temp file and rename: a killed ingest leaves the old
// one, which still describes a snapshot that exists. A missing or unreadable file is no parent.
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addressToHex, type Address } from '../core/address.js';
import { localRepoDir } from '../repo/localRepoDir.js';
import type { Repository } from '../repo/repository.js';

export class HostTrees {
  private readonly written = new Map<string, Buffer>();

  private constructor(private readonly path: string, private readonly last: Map<string, Buffer>) {}

  /** The trees this host stored at its last ingest of `paths` with a write-only key; undefined for other keys. */
  static async open(repo: Repository, paths: string[]): Promise<HostTrees | undefined> {
    if (repo.keys?.material.kind !== 'write-only') return undefined;
    const which = createHash('sha256').update(JSON.stringify([...paths].sort())).digest('hex').slice(0, 16);
    const path = join(await localRepoDir(repo.config.id), `trees-${repo.keys.keyId}-${which}.bin`);
    const last = new Map<string, Buffer>();
    const bytes = await readFile(path).catch(() => Buffer.alloc(0));
    for (let at = 0; at + 36 <= bytes.length;) {
      const length = bytes.readUInt32LE(at + 32);
      if (at + 36 + length > bytes.length) { last.clear(); break; } // cut short: no parent
      last.set(bytes.toString('hex', at, at + 32), bytes.subarray(at + 36, at + 36 + length));
      at += 36 + length;
    }
    return new HostTrees(path, last);
  }

  /** Whether the last ingest stored the tree `hex` (a snapshot's root). */
  has(hex: string): boolean {
    return this.last.has(hex);
  }

  /** A tree the last ingest stored; throws when it did not store it (the caller then reads every file). */
  async get(addr: Address): Promise<Buffer> {
    const tree = this.last.get(addressToHex(addr));
    if (!tree) throw new Error(`tree ${addressToHex(addr)} is not among this host's own trees`);
    return tree;
  }

  /** Notes a tree this ingest stored. */
  stored(addr: Address, tree: Buffer): void {
    this.written.set(addressToHex(addr), tree);
  }

  /** Replaces the file with the trees of this ingest (call once its snapshot is written). */
  async save(): Promise<void> {
    const parts: Buffer[] = [];
    for (const [hex, tree] of this.written) {
      const head = Buffer.alloc(36);
      head.write(hex, 'hex');
      head.writeUInt32LE(tree.length, 32);
      parts.push(head, tree);
    }
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.concat(parts), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
