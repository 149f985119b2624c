// Retires a damaged sealed pack (cut short, no trailer, a record that fails its check) without
// losing what in it is still good: every record that reads back intact and is the copy the index
// uses (or a copy of a block the index does not name) is copied, as stored, into a new pack; the
// new pack is sealed and indexed; only then are the old pack's index entries removed and the old
// pack deleted. This is the one place a sealed pack is replaced rather than left as it is, and it
// keeps the write order: a kill before the delete leaves two copies, never none. The damaged
// records are lost with the old pack; their blocks are then simply missing from the index, so
// the next ingest of a source that holds them stores them again.
import { DedupfsError } from '../core/errors.js';
import type { BlockStore } from './blockStore.js';
import type { PackFile } from './listPacks.js';
import type { PackEntry } from './pack/format.js';
import { PackWriter } from './pack/packWriter.js';

export interface SalvageResult {
  pack: string;
  /** the pack the good records went to; absent when none was worth keeping */
  newPack?: string;
  /** records copied into the new pack */
  kept: number;
  /** records that failed their check, with why */
  lost: Array<{ address: string; offset: number; reason: string }>;
}

/**
 * Copies the good records of pack `packId` (its entries as readPackEntries gave them) into a new
 * pack and deletes the old one. `isBad(offset)` names copies already known to be bad (skipped
 * unread). The caller holds the repository's exclusive lock.
 */
export async function salvagePack(store: BlockStore, pack: PackFile, entries: PackEntry[],
  isBad: (offset: number) => boolean = () => false, opts: { keepOld?: boolean } = {}): Promise<SalvageResult> {
  const { index } = store;
  const { packId } = pack;
  const result: SalvageResult = { pack: packId, kept: 0, lost: [] };
  let writer: PackWriter | undefined;
  try {
    for (const entry of entries) {
      const hex = entry.address.toString('hex');
      if (isBad(entry.offset)) {
        result.lost.push({ address: hex, offset: entry.offset, reason: 'known to be damaged' });
        continue;
      }
      const loc = index.get(entry.address);
      if (loc && (loc.packId !== packId || loc.offset !== entry.offset)) continue; // the index uses another copy
      let stored: Buffer;
      try {
        stored = (await store.readRecord(entry.address, { ...entry, packId })).stored;
      } catch (err) {
        if (!(err instanceof DedupfsError) || err.code !== 'BLOCK_DAMAGED') throw err;
        result.lost.push({ address: hex, offset: entry.offset, reason: err.message.replace(/^block [0-9a-f]{64} in pack [0-9a-f]+ (is )?/, '') });
        continue;
      }
      writer ??= await PackWriter.create(store.packs.layout, undefined, store.packs.format);
      const { address, type, compression, rawLength, storedLength } = entry;
      writer.append({ address, type, compression, rawLength, storedLength }, stored);
      result.kept++;
    }
    if (writer) {
      await store.packs.seal(writer);
      await index.addPack(writer.packId, writer.entries);
      result.newPack = writer.packId;
    }
  } catch (err) {
    await writer?.abort();
    throw err;
  }
  await index.removePack(packId, entries.map((e) => e.address));
  await index.flush();
  // keepOld: the caller deletes the old pack itself, once nothing names it (a bucket's index objects).
  if (!opts.keepOld) await store.packs.remove([pack]);
  return result;
}
