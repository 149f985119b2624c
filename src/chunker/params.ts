// The chunker's settings, their defaults and their limits. A repository records the parameters
// it was written with; changing any of them changes every cut point, and so every block address.
import { DedupfsError } from '../core/errors.js';
import { formatBytes } from '../core/size.js';

export type NormalizationLevel = 0 | 1 | 2 | 3;

export interface ChunkerParams {
  /** Smallest chunk in bytes (except the last chunk of a file); bytes before it are never hashed. */
  min: number;
  /** Target average chunk size in bytes; picks the masks (round(log2 avg) one-bits). */
  avg: number;
  /** Largest chunk in bytes: a cut is forced here. */
  max: number;
  /** Normalization level: how much stricter the mask is below avg and looser above it. */
  level: NormalizationLevel;
  /** 64-bit seed XORed into the gear table (0 = the published table). */
  seed: bigint;
  /** a gear table in place of the published one: an encrypted repository's, derived from its key (src/crypto) */
  gear?: BigUint64Array;
}

/** The repository defaults: 16 KiB / 64 KiB / 256 KiB, normalization level 2 (as Bazel REv2 requires), seed 0. */
export const DEFAULT_CHUNKER_PARAMS: Readonly<ChunkerParams> = Object.freeze({
  min: 16 * 1024,
  avg: 64 * 1024,
  max: 256 * 1024,
  level: 2,
  seed: 0n,
});

/** The fastcdc-rs size limits (MINIMUM_MIN..MAXIMUM_MAX); the mask table covers exactly these. */
export const CHUNKER_LIMITS = Object.freeze({
  min: [64, 1024 * 1024],
  avg: [256, 4 * 1024 * 1024],
  max: [1024, 16 * 1024 * 1024],
} as const);

const SEED_MAX = 2n ** 64n - 1n;

function usage(message: string): DedupfsError {
  return new DedupfsError('USAGE', message);
}

/**
 * Throws a one-line DedupfsError('USAGE') naming the first bad value and what is allowed:
 * sizes must be whole numbers inside CHUNKER_LIMITS with min <= avg <= max, level 0..3,
 * seed 0..2^64-1. Odd min or avg sizes are allowed (the reference accepts them).
 */
export function validateChunkerParams(params: ChunkerParams): void {
  for (const name of ['min', 'avg', 'max'] as const) {
    const value = params[name];
    const [lo, hi] = CHUNKER_LIMITS[name];
    if (!Number.isInteger(value) || value < lo || value > hi) {
      throw usage(`chunker ${name} ${value} is out of range: allowed ${lo}..${hi} (${formatBytes(lo)}..${formatBytes(hi)})`);
    }
  }
  if (params.min > params.avg) throw usage(`chunker min ${params.min} is larger than avg ${params.avg}: need min <= avg <= max`);
  if (params.avg > params.max) throw usage(`chunker avg ${params.avg} is larger than max ${params.max}: need min <= avg <= max`);
  if (![0, 1, 2, 3].includes(params.level)) throw usage(`chunker level ${params.level} is out of range: allowed 0..3`);
  if (typeof params.seed !== 'bigint' || params.seed < 0n || params.seed > SEED_MAX) {
    throw usage(`chunker seed ${params.seed} is out of range: allowed 0..${SEED_MAX} (64 bits)`);
  }
}
