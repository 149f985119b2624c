// Loads the FastCDC reference vectors kept in test/fixtures/fastcdc (see its README for their
// published source) and describes vectors.json, so tests can hold the chunker to fastcdc-rs's output.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChunkerParams, NormalizationLevel } from '../../src/chunker/index.js';

/**
 * test/fixtures/fastcdc in the source tree. tsc copies no data files, so the compiled tests
 * (dist/test/chunker) reach back to the source: three levels up is the project's root.
 */
export const FASTCDC_FIXTURES = fileURLToPath(new URL('../../../test/fixtures/fastcdc/', import.meta.url));

/** The test image of fastcdc-rs. */
export const SEKIEN_IMAGE = `${FASTCDC_FIXTURES}SekienAkashita.jpg`;

/** sha256 is given for the image's chunks, not for the zeros. */
export interface VectorChunk { offset: number; length: number; hash: string; sha256?: string }
export interface VectorCase { min: number; avg: number; max: number; normalization: number; seed?: number; chunks: VectorChunk[] }
export interface VectorInput { name: string; bytes: Buffer; path?: string; cases: VectorCase[] }

/** Every input named in vectors.json with its v2020 cases: files beside it, zeros_N as N zero bytes. */
export function loadVectors(): VectorInput[] {
  const doc = JSON.parse(readFileSync(`${FASTCDC_FIXTURES}vectors.json`, 'utf8')) as Record<string, { v2020?: VectorCase[] }>;
  return Object.entries(doc).filter(([name]) => !name.startsWith('_')).map(([name, entry]) => {
    const zeros = /^zeros_(\d+)$/.exec(name);
    const path = zeros ? undefined : `${FASTCDC_FIXTURES}${name}`;
    return { name, path, bytes: zeros ? Buffer.alloc(Number(zeros[1])) : readFileSync(path!), cases: entry.v2020 ?? [] };
  });
}

export function paramsOf(c: VectorCase): ChunkerParams {
  return { min: c.min, avg: c.avg, max: c.max, level: c.normalization as NormalizationLevel, seed: BigInt(c.seed ?? 0) };
}
