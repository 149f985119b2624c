// Finds the shared FastCDC reference data (<repo>/../shared/testdata, or $DEDUPFS_TESTDATA)
// and describes vectors.json, so tests can hold the chunker to fastcdc-rs's output.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChunkerParams, NormalizationLevel } from '../../src/chunker/index.js';

/** The testdata folder (holding fastcdc/); compiled tests sit in dist/test/chunker. */
export const TESTDATA_DIR = process.env.DEDUPFS_TESTDATA ?? fileURLToPath(new URL('../../../../shared/testdata/', import.meta.url));

/** sha256 is given for the image's chunks, not for the zeros. */
export interface VectorChunk { offset: number; length: number; hash: string; sha256?: string }
export interface VectorCase { min: number; avg: number; max: number; normalization: number; seed?: number; chunks: VectorChunk[] }
export interface VectorInput { name: string; bytes: Buffer; path?: string; cases: VectorCase[] }

/** Every input named in vectors.json with its v2020 cases: files from fastcdc/, zeros_N as N zero bytes. */
export function loadVectors(): VectorInput[] {
  const dir = join(TESTDATA_DIR, 'fastcdc');
  if (!existsSync(join(dir, 'vectors.json'))) {
    throw new Error(`FastCDC reference data not found in ${dir}; set DEDUPFS_TESTDATA to the folder holding fastcdc/`);
  }
  const doc = JSON.parse(readFileSync(join(dir, 'vectors.json'), 'utf8')) as Record<string, { v2020?: VectorCase[] }>;
  return Object.entries(doc).filter(([name]) => !name.startsWith('_')).map(([name, entry]) => {
    const zeros = /^zeros_(\d+)$/.exec(name);
    const path = zeros ? undefined : join(dir, name);
    return { name, path, bytes: zeros ? Buffer.alloc(Number(zeros[1])) : readFileSync(path!), cases: entry.v2020 ?? [] };
  });
}

export function paramsOf(c: VectorCase): ChunkerParams {
  return { min: c.min, avg: c.avg, max: c.max, level: c.normalization as NormalizationLevel, seed: BigInt(c.seed ?? 0) };
}
