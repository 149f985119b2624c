// The snapshot file of an encrypted repository (docs/ENCRYPTION.md, Snapshot records):
//
//   { "listing": base64(writer record: id, time, host, parent), "body": base64(reader record: the whole snapshot) }
//
// Both are sealed under the snapshot's id, so a record put back under another id does not open.
// A full key reads the body; a write-only key reads only the listing (what `dedupfs snapshots`
// shows it: ids and times) and gets a snapshot with nothing else in it.
import { DedupfsError } from '../core/errors.js';
import { Opener, Sealer, type KeyMaterial } from '../crypto/index.js';
import type { Snapshot, SnapshotSeal } from './snapshotRecord.js';

type Listing = Pick<Snapshot, 'id' | 'time' | 'host' | 'parent'>;

const listingName = (id: string) => ({ type: 'snapshot-listing', name: id });
const bodyName = (id: string) => ({ type: 'snapshot', name: id });

export function sealedSnapshots(keys: KeyMaterial): SnapshotSeal {
  let sealer: Sealer | null = null;
  const opener = new Opener(keys);
  return {
    seal(snap) {
      sealer ??= new Sealer(keys);
      const listing: Listing = { id: snap.id, time: snap.time, host: snap.host, ...(snap.parent ? { parent: snap.parent } : {}) };
      return JSON.stringify({
        listing: sealer.sealRecord(listingName(snap.id), Buffer.from(JSON.stringify(listing)), 'writers').toString('base64'),
        body: sealer.sealRecord(bodyName(snap.id), Buffer.from(JSON.stringify(snap)), 'readers').toString('base64'),
      }) + '\n';
    },
    open(id, text) {
      const file = JSON.parse(text) as { listing?: unknown; body?: unknown };
      if (typeof file.listing !== 'string' || typeof file.body !== 'string') throw new Error('not a sealed snapshot record');
      if (keys.kind === 'full') return JSON.parse(opener.openRecord(bodyName(id), Buffer.from(file.body, 'base64')).toString('utf8')) as Snapshot;
      const listing = JSON.parse(opener.openRecord(listingName(id), Buffer.from(file.listing, 'base64')).toString('utf8')) as Listing;
      if (listing.id !== id) throw new DedupfsError('REPO_DAMAGED', `snapshot listing ${id} names another id`);
      return {
        ...listing, user: '', paths: [], tags: [], root: '', files: 0, dirs: 0, bytes: 0,
        added: { blocks: 0, rawBytes: 0, storedBytes: 0 }, partial: false, warnings: 0,
      };
    },
  };
}
