// What every area calls a block: its type, and the two ways to reach blocks (write one, read one
// back by address). The block store implements both; trees, restore, the mount and maintenance
// take these interfaces rather than the store, so they can be given a cache or a layered reader.
import type { Address } from './address.js';

/** What a block is: file data, a directory tree, or a list of a large file's chunks. */
export enum BlockType { Data = 0, Tree = 1, List = 2 }

export interface BlockWriter { add(type: BlockType, raw: Buffer): { address: Address } }
export interface BlockReader { get(addr: Address): Promise<Buffer> }
/** A reader that also takes several blocks at once, one promise each, in order: the block store
 * reads back-to-back blocks together (readFileContent, the mount's cache). With `into`, each block
 * is written into the buffer it returns for the block's length (the mount's cache reuses memory). */
export interface BlockSource extends BlockReader { getMany(addrs: Address[], into?: (rawLength: number) => Buffer): Promise<Buffer>[] }
