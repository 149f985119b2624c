// Visits every block a tree refers to, directly or through subtrees and list blocks: the one
// reachability walk that stats, gc and check share. The visitor sees each reference with the
// path (bytes, relative to the root) of the file or folder that holds it and decides whether to
// go on: returning false for a block already seen makes shared subtrees cost nothing.
import type { Address } from '../core/address.js';
import { BlockType } from '../core/blocks.js';
import type { BlockReader } from '../core/blocks.js';
import { LIST_BLOCK_CHUNKS } from './chunkList.js';
import { ADDRESS_BYTES } from '../core/address.js';
import { decodeTree } from './treeCodec.js';

/** Returns true to read the block (trees and lists) and visit what it names. */
export type BlockVisitor = (address: Address, type: BlockType, path: Buffer) => boolean;

const SLASH = Buffer.from('/');
const REF_BYTES = ADDRESS_BYTES + 4;

export async function walkBlocks(store: BlockReader, root: Address, visit: BlockVisitor, path: Buffer = Buffer.alloc(0)): Promise<void> {
  if (!visit(root, BlockType.Tree, path)) return;
  for (const e of decodeTree(await store.get(root))) {
    const p = Buffer.concat([path, SLASH, e.name]);
    if (e.subtree) await walkBlocks(store, e.subtree, visit, p);
    if (!e.content) continue;
    if ('chunks' in e.content) {
      for (const c of e.content.chunks) visit(c.address, BlockType.Data, p);
      continue;
    }
    for (const l of e.content.lists) {
      if (!visit(l.address, BlockType.List, p)) continue;
      const block = await store.get(l.address);
      for (let i = 0; i < block.length / REF_BYTES && i < LIST_BLOCK_CHUNKS; i++) {
        visit(block.subarray(i * REF_BYTES, i * REF_BYTES + ADDRESS_BYTES), BlockType.Data, p);
      }
    }
  }
}
