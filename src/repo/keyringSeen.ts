// Rollback protection for keys.json. Anyone who can write a repository can put back an older
// keys.json: its MAC was valid when it was written, and it may still list a key removed since
// (revocation is removal plus rotation). A full key that opened it and rotated would grant the
// removed key the new generation. The keyring alone cannot tell old from new, so each machine
// remembers, in its owner-only cache ($XDG_CACHE_HOME/dedupfs/ID/keyring-seen.json), the newest
// key generation it has met for the repository (with the hash of that keys.json, to name it),
// and refuses a keyring whose newest generation is older. A new machine remembers nothing. The
// same holds for a keyring kept as an object in a bucket (bucketKeyring.ts).
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DedupfsError } from '../core/errors.js';
import { keyringPlace, type KeyMaterial, type KeyringAt } from '../crypto/index.js';
import { localRepoDir } from './localRepoDir.js';

/** What this machine remembers of a repository's keyring. */
interface Seen { generation: number; sha256: string; time: string }

async function readSeen(path: string): Promise<Seen | null> {
  try {
    const seen = JSON.parse(await readFile(path, 'utf8')) as Seen;
    return Number.isInteger(seen.generation) ? seen : null;
  } catch {
    return null; // none yet, or unreadable: this machine then remembers nothing, as a new one
  }
}

/** Guards one repository's keyring on this machine: `opened` before a keyring is used, `written` after a key command wrote one. */
export interface KeyringGuard {
  opened(material: KeyMaterial): Promise<void>;
  written(material: KeyMaterial): Promise<void>;
}

export async function keyringGuard(repoId: string, keyring: KeyringAt): Promise<KeyringGuard> {
  const place = keyringPlace(keyring);
  const keyringFile = place.name;
  const path = join(await localRepoDir(repoId), 'keyring-seen.json');
  const remember = async (material: KeyMaterial, seen: Seen | null): Promise<void> => {
    const generation = material.generations.length;
    if (seen && seen.generation >= generation) return;
    const sha256 = createHash('sha256').update(await place.read()).digest('hex');
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ generation, sha256, time: new Date().toISOString() }) + '\n', { mode: 0o600 });
    await rename(tmp, path);
  };
  return {
    async opened(material) {
      const seen = await readSeen(path);
      if (seen && material.generations.length < seen.generation) {
        throw new DedupfsError('REPO_DAMAGED', `keyring ${keyringFile} has been rolled back: its newest key generation is ${material.generations.length}, this machine has seen generation ${seen.generation}`, {
          hint: `someone put back an older keys.json, which may list removed keys; put back the newest one (sha256 ${seen.sha256.slice(0, 16)}...) from a copy (if the whole repository was restored from an older copy on purpose, remove ${path})`,
          data: { path: keyringFile, generation: material.generations.length, seen: seen.generation },
        });
      }
      await remember(material, seen);
    },
    async written(material) {
      await remember(material, await readSeen(path));
    },
  };
}
