// Where each part of a repository lives on disk. Everything under the repository folder is
// created owner-only: folders 0700, files 0600.
import { join } from 'node:path';
import { homedir } from 'node:os';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export interface RepoLayout {
  root: string;
  config: string;      // config.json: format version, chunker, hash, compression, encryption
  keys: string;        // keys.json: the keyring of an encrypted repository (src/crypto)
  packs: string;       // packs/XX/<packid>.pack, sealed and immutable
  packsTmp: string;    // packs/tmp/<packid>.tmp, packs still being written
  index: string;       // LMDB block index (rebuildable from the packs)
  catalog: string;     // SQLite catalog (rebuildable from snapshots/)
  snapshots: string;   // snapshots/<id>.json, the source of truth for the catalog
  locks: string;
}

export function repoLayout(root: string): RepoLayout {
  return {
    root,
    config: join(root, 'config.json'),
    keys: join(root, 'keys.json'),
    packs: join(root, 'packs'),
    packsTmp: join(root, 'packs', 'tmp'),
    index: join(root, 'index'),
    catalog: join(root, 'catalog.db'),
    snapshots: join(root, 'snapshots'),
    locks: join(root, 'locks'),
  };
}

/** The repository folder a command uses: --repo, else $DEDUPFS_REPO, else ~/.dedupfs. */
export function defaultRepoPath(flag?: string): string {
  return flag || process.env.DEDUPFS_REPO || join(homedir(), '.dedupfs');
}

/**
 * true when the repository is named (--repo or $DEDUPFS_REPO) rather than the default
 * ~/.dedupfs. Only the default is created by a first ingest: a named one that does not exist is
 * more likely a typo or a disk that is not mounted than a wish for a new, empty repository.
 */
export function repoIsNamed(flag?: string): boolean {
  return Boolean(flag || process.env.DEDUPFS_REPO);
}

export function packPath(layout: RepoLayout, packId: string): string {
  return join(layout.packs, packId.slice(0, 2), `${packId}.pack`);
}
