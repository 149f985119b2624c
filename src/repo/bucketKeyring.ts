// The keyring of an encrypted repository in a bucket: the object keys.json, read and replaced
// whole (a single PUT is atomic on every S3 server, so a key command killed at any instant
// leaves the old key set or the new one). S3 servers such as Swift have no conditional PUT, so
// two key commands on two hosts are kept apart by the repository's exclusive lock object
// (backendLock.ts), which each takes before it reads the keyring: the second one reads what the
// first wrote. Before replacing, the writer checks that it still holds its lock; after, it reads
// the object back, so a write lost to someone who broke the lock (`unlock --all` by hand) is
// reported instead of passing for done. Rollback is caught as for a folder (keyringSeen.ts).
import type { Backend } from '../backend/backend.js';
import { DedupfsError } from '../core/errors.js';
import type { KeyringPlace } from '../crypto/index.js';

export const KEYRING_KEY = 'keys.json';

/** `beforeWrite` throws when the writer's lock is lost (a key command's exclusive lock). */
export function bucketKeyring(backend: Backend, beforeWrite: () => void = () => undefined): KeyringPlace {
  const name = `${backend.location}/${KEYRING_KEY}`;
  return {
    name,
    read: async () => (await backend.get(KEYRING_KEY)).toString('utf8'),
    async write(text, opts) {
      if (opts.create && await backend.head(KEYRING_KEY)) {
        throw new DedupfsError('EXISTS', `keyring ${name} already exists`, { hint: 'this repository already has keys: use dedupfs key add' });
      }
      beforeWrite();
      await backend.put(KEYRING_KEY, Buffer.from(text));
      if ((await backend.get(KEYRING_KEY)).toString('utf8') !== text) {
        throw new DedupfsError('LOCKED', `keyring ${name} was replaced by another writer at the same time as this one`, {
          hint: "run 'dedupfs key list' to see which key set won, and repeat the key command if it is not there (was the lock removed by hand?)",
        });
      }
    },
  };
}
