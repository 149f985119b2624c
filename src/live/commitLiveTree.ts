// Stores the tree of a writable mount as a snapshot (tag `live`, this host), the way ingest
// stores a source tree (src/ingest/ingest.ts): staged files are chunked with the repository's
// FastCDC parameters and deduplicated against every block there is (the stored chunks a staged
// file never wrote to are kept as they are: storeLayered.ts); stored files keep their chunks; a folder never looked into keeps its tree address, and a folder looked into but not
// changed encodes to the same tree block again, which the store already has. So a commit costs
// what changed since the base snapshot, plus a walk of the tree blocks it keeps to count them
// (counted once per address for the life of the mount).
//
// Write order (docs/ARCHITECTURE.md, principle 6): blocks, flush (packs sealed, index updated), snapshot
// file, catalog row. Only then does the caller clear the staging area (mountWritable.ts).
import { hostname, userInfo } from 'node:os';
import { Chunker } from '../chunker/index.js';
import { Limiter } from '../core/limiter.js';
import { addressToHex, type Address } from '../core/address.js';
import { snapshotId, type Snapshot } from '../catalog/snapshotRecord.js';
import type { StoredFile } from '../ingest/storeFile.js';
import type { Repository } from '../repo/repository.js';
import type { BlockStore } from '../store/index.js';
import { BlockType } from '../core/blocks.js';
import type { TreeEntry } from '../tree/entry.js';
import { encodeTree } from '../tree/treeCodec.js';
import { walkTree } from '../tree/walkTree.js';
import { nameBytes, type LiveNode, type LiveTree } from './liveTree.js';
import type { StagingArea } from './stagingArea.js';
import { storeStaged } from './storeStaged.js';

/** The tag every snapshot of a live tree carries. */
export const LIVE_TAG = 'live';
/** Names libfuse gives files unlinked while open; they are gone once closed and never stored. */
const FUSE_HIDDEN = '.fuse_hidden';
/** Entries of one folder stored at once. */
const WINDOW = 64;

interface Totals { files: number; dirs: number; bytes: number }

export interface CommitOptions {
  repo: Repository;
  tree: LiveTree;
  area: StagingArea;
  mountpoint: string;
  host?: string;
  base?: Snapshot;
  /** the content of a staged file held in memory rather than in its staging file (heldFiles.ts) */
  held?: (node: LiveNode) => Buffer | undefined;
  /** what a staged file was stored as while the mount ran, if it has not changed since */
  storedAlready?: (node: LiveNode) => StoredFile | undefined;
  /** the store's counts when the last commit ended (blocks stored since, also while the mount ran, are this commit's) */
  addedBefore?: BlockStore['added'];
  /** totals of kept subtrees by address, filled as they are counted */
  counted: Map<string, Totals>;
}

export interface CommitResult {
  snapshot: Snapshot;
  /** the staged files stored, with one path each and what they were stored as */
  staged: Array<{ node: LiveNode; path: string; stored: StoredFile }>;
}

export async function commitLiveTree(opts: CommitOptions): Promise<CommitResult> {
  const { repo, area } = opts;
  const addedBefore = opts.addedBefore ?? { ...repo.store.added };
  const chunker = new Chunker(repo.chunker);
  const totals: Totals = { files: 0, dirs: 0, bytes: 0 };
  const storing = new Map<LiveNode, Promise<StoredFile>>();
  const staged: CommitResult['staged'] = [];

  // Staged files are read two at a time, as ingest reads files (treeBuilder.ts): reads overlap
  // chunking. A file stored since its last change while the mount ran (backgroundStore.ts) is
  // taken as it was stored.
  const reads = new Limiter(2);
  const storeNode = (node: LiveNode, path: string): Promise<StoredFile> => {
    let done = storing.get(node);
    if (!done) {
      done = reads.run(async () => {
        const s = opts.storedAlready?.(node) ?? await storeStaged({ store: repo.store, chunker, area }, node, opts.held?.(node));
        staged.push({ node, path, stored: s });
        return s;
      });
      storing.set(node, done);
    }
    return done;
  };

  const countKept = async (tree: Address | undefined): Promise<void> => {
    totals.dirs++;
    if (!tree) return;
    const key = addressToHex(tree);
    let t = opts.counted.get(key);
    if (!t) {
      t = { files: 0, dirs: 0, bytes: 0 };
      for await (const { entry } of walkTree(repo.store, tree, { recursive: true })) {
        if (entry.kind === 'dir') t.dirs++;
        else if (entry.kind === 'file') {
          t.files++;
          t.bytes += entry.size;
        }
      }
      opts.counted.set(key, t);
    }
    totals.files += t.files;
    totals.dirs += t.dirs;
    totals.bytes += t.bytes;
  };

  const storeDir = async (dir: LiveNode, path: string): Promise<Address> => {
    if (!dir.children) {
      await countKept(dir.entry.subtree);
      return dir.entry.subtree ?? repo.store.add(BlockType.Tree, encodeTree([])).address;
    }
    const subfolders = new Limiter(1);
    const entryOf = async (name: string, node: LiveNode): Promise<TreeEntry | undefined> => {
      if (name.startsWith(FUSE_HIDDEN)) return undefined;
      // An unchanged node is stored as its entry under this name was, so that an unchanged
      // folder encodes to the very tree block it was read from.
      seen.push(node);
      const kept = node.dirty || node.staging !== undefined ? undefined : dir.stored?.get(name);
      const e: TreeEntry = kept ? { ...kept } : { ...node.entry, name: nameBytes(name), ino: node.entry.ino || node.ino };
      if (e.kind === 'dir') e.subtree = await subfolders.run(() => storeDir(node, `${path}/${name}`));
      else if (!kept && !e.linkId) {
        e.nlink = Math.max(node.links, 1);
        if (node.links > 1) e.linkId = `live:${node.ino}`;
      }
      stored.set(name, e);
      if (e.kind === 'file') {
        if (node.staging !== undefined) {
          const s = await storeNode(node, `${path}/${name}`);
          e.content = s.content;
          e.size = s.size;
        }
        totals.files++;
        totals.bytes += e.size;
      }
      return e;
    };
    // A window of entries at a time (as ingest walks a folder): memory stays bounded in wide folders.
    const all = [...dir.children];
    const entries: TreeEntry[] = [];
    const stored = new Map<string, TreeEntry>();
    for (let i = 0; i < all.length; i += WINDOW) {
      for (const e of await Promise.all(all.slice(i, i + WINDOW).map(([name, node]) => entryOf(name, node)))) if (e) entries.push(e);
    }
    totals.dirs++;
    const address = repo.store.add(BlockType.Tree, encodeTree(entries)).address;
    dir.entry.subtree = address;
    storedNext.set(dir, stored);
    return address;
  };

  /** every node met, and every folder's new entries: committed once the snapshot is written */
  const seen: LiveNode[] = [];
  const storedNext = new Map<LiveNode, Map<string, TreeEntry>>();
  const root = await storeDir(opts.tree.root, '');
  await repo.store.flush();
  const fields: Omit<Snapshot, 'id'> = {
    time: new Date().toISOString(), host: opts.host ?? hostname(), user: userInfo().username, paths: [opts.mountpoint], tags: [LIVE_TAG],
    root: addressToHex(root), parent: opts.base?.id, ...totals,
    added: {
      blocks: repo.store.added.blocks - addedBefore.blocks,
      rawBytes: repo.store.added.rawBytes - addedBefore.rawBytes,
      storedBytes: repo.store.added.storedBytes - addedBefore.storedBytes,
    },
    partial: false, warnings: 0,
  };
  const snapshot: Snapshot = { id: snapshotId(fields), ...fields };
  await repo.snapshotFiles.write(snapshot);
  repo.catalog.insert(snapshot);
  for (const node of seen) node.dirty = false;
  opts.tree.root.dirty = false;
  for (const [dir, entries] of storedNext) dir.stored = entries;
  return { snapshot, staged };
}
