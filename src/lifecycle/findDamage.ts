// For check and repair: walks every snapshot's trees and finds, for each block that is missing
// or damaged, the snapshots and the paths inside them that need it. walkBlocks visits a shared
// subtree once, under the first path it meets, which is right for marking but would name too
// few files here; so this walk remembers, per tree, the damaged references beneath it (paths
// relative to that tree) and composes them upwards. A subtree shared by every snapshot is still
// read only once, and a snapshot that holds the same folder twice gets both paths.
// On the way it notes names no dedupfs ingest writes and a restore must never follow (empty,
// '.', '..', holding '/' or NUL) and names that appear twice in one tree.
import { addressFromHex, addressToHex } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { loadChunkTable } from '../tree/chunkList.js';
import type { BlockReader } from '../core/blocks.js';
import type { TreeEntry } from '../tree/entry.js';
import { escapeName } from '../tree/nameEscape.js';
import { decodeTree } from '../tree/treeCodec.js';
import { blockProblem } from '../store/index.js';

/** Why the block with this hex address cannot be used, or undefined when it looks fine. */
export type BlockJudge = (hex: string) => string | undefined;

/** A damaged block and the path (bytes, '/a/b' relative to the snapshot root) that needs it. */
export interface DamageRef { address: string; path: Buffer }

export interface DamageMap {
  /** per snapshot id, every damaged reference; empty when the snapshot is intact */
  snapshots: Map<string, DamageRef[]>;
  /** every block some snapshot refers to that could be reached (hex) */
  referenced: Set<string>;
  /** blocks found bad on the walk itself (unreadable trees and lists): hex -> why */
  reasons: Map<string, string>;
  /** names in trees that are unsafe or repeated: the tree (hex), the name (escaped) and why */
  unsafeNames: Array<{ tree: string; name: string; problem: string }>;
}

const NONE: DamageRef[] = [];
const SLASH = Buffer.from('/');
const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

/** Walks `snapshots` and collects, per snapshot, the references `judge` (or a failed read) rejects. */
export async function findDamage(store: BlockReader, snapshots: Snapshot[], judge: BlockJudge, reporter?: Reporter): Promise<DamageMap> {
  const result: DamageMap = { snapshots: new Map(), referenced: new Set(), reasons: new Map(), unsafeNames: [] };
  const memo = new Map<string, DamageRef[]>();
  const bad = (hex: string): string | undefined => result.reasons.get(hex) ?? judge(hex);
  const read = async (hex: string): Promise<Buffer | undefined> => {
    try {
      return await store.get(addressFromHex(hex));
    } catch (err) {
      if (!(err instanceof DedupfsError)) throw err;
      result.reasons.set(hex, blockProblem(err.message));
      return undefined;
    }
  };

  const fileDamage = async (content: TreeEntry['content']): Promise<string[]> => {
    if (!content) return [];
    const out: string[] = [];
    const chunks = 'chunks' in content ? content.chunks.map((c) => addressToHex(c.address)) : [];
    if ('lists' in content) {
      for (const list of content.lists) {
        const hex = addressToHex(list.address);
        result.referenced.add(hex);
        const table = bad(hex) ? undefined : await loadChunkTable(store, { lists: [list] }).catch((err) => {
          if (!(err instanceof DedupfsError)) throw err;
          result.reasons.set(hex, blockProblem(err.message));
          return undefined;
        });
        if (!table) out.push(hex);
        else for (let i = 0; i < table.count; i++) chunks.push(addressToHex(table.address(i)));
      }
    }
    for (const hex of chunks) {
      result.referenced.add(hex);
      if (bad(hex)) out.push(hex);
    }
    return out;
  };

  const treeDamage = async (hex: string): Promise<DamageRef[]> => {
    const known = memo.get(hex);
    if (known) return known;
    result.referenced.add(hex);
    let refs: DamageRef[] = [];
    const block = bad(hex) ? undefined : await read(hex);
    let entries: TreeEntry[] | undefined;
    try {
      entries = block && decodeTree(block);
    } catch (err) {
      result.reasons.set(hex, (err as Error).message);
    }
    if (!entries) refs = [{ address: hex, path: Buffer.alloc(0) }];
    else for (const [name, problem] of nameProblems(entries)) result.unsafeNames.push({ tree: hex, name, problem });
    for (const e of entries ?? []) {
      const path = Buffer.concat([SLASH, e.name]);
      if (e.subtree) for (const d of await treeDamage(addressToHex(e.subtree))) refs.push({ address: d.address, path: Buffer.concat([path, d.path]) });
      for (const address of new Set(await fileDamage(e.content))) refs.push({ address, path });
    }
    memo.set(hex, refs.length ? refs : NONE);
    return refs;
  };

  for (const snap of snapshots) {
    reporter?.item?.(`snapshot ${snap.id.slice(0, 8)}`);
    result.snapshots.set(snap.id, await treeDamage(snap.root));
    reporter?.fileDone?.();
  }
  return result;
}

/** Per unsafe or repeated name in one tree: the name (escaped) and what is wrong with it. */
function nameProblems(entries: TreeEntry[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const { name } of entries) {
    const text = escapeName(name);
    if (!name.length) out.push([text, 'empty name']);
    else if (name.equals(DOT) || name.equals(DOTDOT)) out.push([text, `'${text}' as a name`]);
    else if (name.includes(SLASH)) out.push([text, "name holds '/'"]);
    else if (name.includes(0)) out.push([text, 'name holds NUL']);
    const key = name.toString('hex');
    if (seen.has(key)) out.push([text, 'name appears twice in one folder']);
    seen.add(key);
  }
  return out;
}
