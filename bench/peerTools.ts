// The commands the peers bench runs for each tool: dedupfs (bin/dedupfs, as users run it), restic,
// borg and casync from Debian. Each tool owns one folder per repository; its caches live beside
// that folder (REPO.cache, REPO.home), so that the repository's size is the repository alone and
// a fresh repository starts with no cache. Settings: each tool's fast defaults nearest to ours
// (dedupfs zstd:1 without encryption; restic --compression auto, which it cannot run without
// encryption; borg --encryption none with zstd,3; casync's defaults, with its encoder cache so
// that an unchanged file is not read again, as the others do through their files caches).
import { DEDUPFS } from './runTimed.js';
import { join } from 'node:path';

export interface Command { cmd: string; args: string[]; env: NodeJS.ProcessEnv; cwd?: string }

export interface Tool {
  name: string;
  /** dedupfs itself (this checkout or a baseline), never counted as a peer */
  ours?: boolean;
  /** Creates an empty repository (not timed). */
  init(repo: string): Command;
  /** A snapshot of `src`; `label` names it where a tool wants a name (borg, casync). */
  ingest(repo: string, src: string, label: string): Command;
  /** Restores the snapshot labelled FIRST into `target`, an existing empty folder. */
  restore(repo: string, target: string): Command;
  /** Mounts the FIRST snapshot at `mountpoint` in the foreground; `root` is the folder of its files. */
  mount(repo: string, mountpoint: string): { command: Command; root: string };
}

/** The label of the first ingest into a repository: the snapshot that is restored and mounted. */
export const FIRST = 'first';

/** dedupfs as users run it, from `bin` (this checkout's bin/dedupfs, or a baseline's). */
export function dedupfsAt(bin: string, name: string): Tool {
  const env = (repo: string) => ({ ...process.env, DEDUPFS_REPO: repo });
  return {
    name,
    ours: true,
    init: (repo) => ({ cmd: bin, args: ['init', '--quiet'], env: env(repo) }),
    ingest: (repo, src) => ({ cmd: bin, args: ['ingest', '--quiet', src], env: env(repo) }),
    restore: (repo, target) => ({ cmd: bin, args: ['restore', '--quiet', 'latest', target], env: env(repo) }),
    mount: (repo, mountpoint) => ({
      command: { cmd: bin, args: ['mount', '--quiet', '--snapshot', 'latest', mountpoint], env: env(repo) },
      root: mountpoint,
    }),
  };
}

const resticEnv = (repo: string) => ({ ...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: 'bench', RESTIC_CACHE_DIR: `${repo}.cache` });
const restic: Tool = {
  name: 'restic',
  init: (repo) => ({ cmd: 'restic', args: ['init', '--quiet'], env: resticEnv(repo) }),
  ingest: (repo, src) => ({ cmd: 'restic', args: ['backup', '--quiet', '--compression', 'auto', src], env: resticEnv(repo) }),
  restore: (repo, target) => ({ cmd: 'restic', args: ['restore', '--quiet', 'latest', '--target', target], env: resticEnv(repo) }),
  mount: (repo, mountpoint) => ({
    command: { cmd: 'restic', args: ['mount', '--quiet', mountpoint], env: resticEnv(repo) },
    root: join(mountpoint, 'snapshots', 'latest') + '/',
  }),
};

const borgEnv = (repo: string) => ({
  ...process.env, BORG_REPO: repo, BORG_PASSPHRASE: '', BORG_BASE_DIR: `${repo}.home`,
  BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes', BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
});
/** borg with one compression setting: `zstd,3` in the table, `lz4` as a note. */
export function borgWith(compression: string): Tool {
  return {
    name: compression === 'zstd,3' ? 'borg' : `borg ${compression}`,
    init: (repo) => ({ cmd: 'borg', args: ['init', '--encryption', 'none'], env: borgEnv(repo) }),
    ingest: (repo, src, label) => ({ cmd: 'borg', args: ['create', '--compression', compression, `::${label}`, src], env: borgEnv(repo) }),
    restore: (repo, target) => ({ cmd: 'borg', args: ['extract', `::${FIRST}`], env: borgEnv(repo), cwd: target }),
    mount: (repo, mountpoint) => ({ command: { cmd: 'borg', args: ['mount', '-f', `::${FIRST}`, mountpoint], env: borgEnv(repo) }, root: mountpoint }),
  };
}

const casyncStore = (repo: string) => `--store=${join(repo, 'store')}`;
const casync: Tool = {
  name: 'casync',
  init: (repo) => ({ cmd: 'mkdir', args: ['-p', repo], env: process.env }),
  ingest: (repo, src, label) => ({
    cmd: 'casync', args: ['make', casyncStore(repo), `--cache=${repo}.cache`, join(repo, `${label}.caidx`), src], env: process.env,
  }),
  restore: (repo, target) => ({ cmd: 'casync', args: ['extract', casyncStore(repo), join(repo, `${FIRST}.caidx`), target], env: process.env }),
  mount: (repo, mountpoint) => ({
    command: { cmd: 'casync', args: ['mount', casyncStore(repo), join(repo, `${FIRST}.caidx`), mountpoint], env: process.env },
    root: mountpoint,
  }),
};

/** The peers, in the order of the table's columns (after dedupfs). */
export const PEER_TOOLS: Tool[] = [restic, borgWith('zstd,3'), casync];

/** This checkout's dedupfs. */
export const DEDUPFS_TOOL = dedupfsAt(DEDUPFS, 'dedupfs');
