// The repository's config.json: format version, and the choices fixed at creation (chunker
// parameters, hash, compression, encryption). A config of a newer format is refused before
// anything is touched; a folder without one is not a repository. Formats: 1, a plain repository
// folder; 2, a plain repository in an S3 bucket (docs/BACKENDS.md: index/ objects and a local
// cache, which format 1 readers do not know); 3, an encrypted repository (docs/ENCRYPTION.md):
// its keys are in keys.json, its addresses keyed, its blocks and snapshot records sealed; 4, an
// encrypted repository whose packs and index objects are sealed too (no block boundary, type or
// length in the clear). Format 3 repositories are read and written as they are.
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { DedupfsError } from '../core/errors.js';
import type { HashName } from '../core/address.js';
import { HASH_NAMES } from '../core/address.js';
// params.js, not the chunker's index: opening a repository needs none of the chunking code (start-up).
import { DEFAULT_CHUNKER_PARAMS, type ChunkerParams } from '../chunker/params.js';
import type { CompressionConfig } from '../store/compress.js';

/** The newest format this dedupfs reads. */
export const FORMAT_VERSION = 4;
/** The format of a new encrypted repository. */
export const ENCRYPTED_FORMAT = 4;
/** Encrypted repositories of the clear pack layout, still read and written. */
const ENCRYPTED_CLEAR_FORMAT = 3;
const PLAIN_FORMAT = 1;
/** The format of a plain repository in a bucket. */
export const BUCKET_FORMAT = 2;

/** 'v1': sealed as docs/ENCRYPTION.md says, keys in keys.json; 'none': plain. */
export type EncryptionName = 'v1' | 'none';

export interface RepoConfig {
  format: number;
  id: string;
  created: string;
  chunker: { min: number; avg: number; max: number; level: number; seed: string };
  hash: HashName;
  compression: CompressionConfig;
  /** absent in format 1 (plain) */
  encryption?: EncryptionName;
}

/** zstd level 1: on the bench corpus 12% faster to ingest than level 3 for 1.3% more bytes stored (README). */
export const DEFAULT_COMPRESSION: CompressionConfig = { algorithm: 'zstd', level: 1 };
export const DEFAULT_HASH: HashName = 'blake3';

export interface InitOptions {
  chunker?: ChunkerParams;
  compression?: CompressionConfig;
  hash?: HashName;
  encryption?: EncryptionName;
  /** the repository is in a bucket (format 2 when plain) */
  bucket?: boolean;
}

/** The config of a new repository: the choices given, defaults for the rest. */
export function newConfig(opts: InitOptions = {}): RepoConfig {
  const chunker = opts.chunker ?? DEFAULT_CHUNKER_PARAMS;
  const sealed = opts.encryption === 'v1';
  return {
    format: sealed ? ENCRYPTED_FORMAT : opts.bucket ? BUCKET_FORMAT : PLAIN_FORMAT, id: randomBytes(16).toString('hex'), created: new Date().toISOString(),
    chunker: { min: chunker.min, avg: chunker.avg, max: chunker.max, level: chunker.level, seed: chunker.seed.toString() },
    hash: opts.hash ?? DEFAULT_HASH,
    compression: opts.compression ?? DEFAULT_COMPRESSION,
    ...(sealed ? { encryption: opts.encryption } : {}),
  };
}

/** true for an encrypted repository whose packs are sealed as a whole (format 4), not only their blocks. */
export function hasSealedPacks(cfg: RepoConfig): boolean {
  return cfg.format === ENCRYPTED_FORMAT;
}

/** true for a repository whose blocks and records are sealed. */
export function isEncrypted(cfg: RepoConfig): boolean {
  return cfg.encryption === 'v1';
}

/** What a command that created a repository on the way (ingest --init, copy --init) says: whether it is encrypted. */
export function createdNotice(where: string, cfg: RepoConfig): string {
  return `created repository ${where}, ${isEncrypted(cfg) ? 'encrypted' : 'not encrypted: anyone who can read its files can read the backups'}`;
}

/** The chunker parameters a config records. */
export function chunkerFromConfig(cfg: RepoConfig): ChunkerParams {
  const c = cfg.chunker;
  return { min: c.min, avg: c.avg, max: c.max, level: c.level as ChunkerParams['level'], seed: BigInt(c.seed) };
}

/** config.json's text. */
export function configText(cfg: RepoConfig): string {
  return JSON.stringify(cfg, null, 2) + '\n';
}

/** Parses `zstd`, `zstd:LEVEL` or `none`. */
export function parseCompression(text: string): CompressionConfig {
  const m = /^(zstd)(?::(\d+))?$|^(none)$/.exec(text);
  const level = m?.[2] ? Number(m[2]) : DEFAULT_COMPRESSION.level;
  if (!m || level < 1 || level > 19) {
    throw new DedupfsError('USAGE', `invalid compression '${text}' (use zstd, zstd:LEVEL with LEVEL 1-19, or none)`);
  }
  return m[3] ? { algorithm: 'none', level: 0 } : { algorithm: 'zstd', level };
}

export async function readConfig(path: string, repoDir: string): Promise<RepoConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw noConfig(repoDir);
    throw new DedupfsError('IO', `cannot read ${path}: ${(err as Error).message}`);
  }
  return parseConfig(text, path, repoDir);
}

/** The error for a place that holds no config.json. */
export function noConfig(repoDir: string): DedupfsError {
  return new DedupfsError('NO_REPOSITORY', `${repoDir} is not a dedupfs repository (no config.json)`,
    { hint: "create one with 'dedupfs init', or name another with --repo DIR" });
}

/** Checks config.json's text (`path` names it in messages). */
export function parseConfig(text: string, path: string, repoDir: string): RepoConfig {
  let cfg: RepoConfig;
  try {
    cfg = JSON.parse(text) as RepoConfig;
  } catch {
    throw new DedupfsError('REPO_DAMAGED', `${path} is damaged (not valid JSON)`, { hint: 'restore it from a copy of the repository' });
  }
  if (typeof cfg.format !== 'number') throw new DedupfsError('REPO_DAMAGED', `${path} has no format version`);
  if (cfg.format > FORMAT_VERSION) {
    throw new DedupfsError('REPO_NEWER', `repository ${repoDir} has format ${cfg.format}; this dedupfs reads format ${FORMAT_VERSION} at most`,
      { hint: 'upgrade dedupfs to use this repository; it was left untouched' });
  }
  if (!HASH_NAMES.includes(cfg.hash) || !cfg.chunker || !cfg.compression) {
    throw new DedupfsError('REPO_DAMAGED', `${path} is incomplete (hash, chunker or compression missing)`);
  }
  if ((cfg.format === ENCRYPTED_FORMAT || cfg.format === ENCRYPTED_CLEAR_FORMAT) !== isEncrypted(cfg)) {
    throw new DedupfsError('REPO_DAMAGED', `${path} is damaged: format ${cfg.format} with encryption ${JSON.stringify(cfg.encryption ?? 'none')}`,
      { hint: 'an encrypted repository is format 3 or 4 with "encryption": "v1"; restore config.json from a copy of the repository' });
  }
  return cfg;
}
