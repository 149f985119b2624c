// The benchmark corpus: a generated tree of mixed text (compressible), binaries (random, not
// compressible), many small files and a few large ones, and a way to make "the next day" by
// changing a few percent of it in place. Deterministic for a given seed.
import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CorpusSpec { textBytes: number; binaryBytes: number; smallFiles: number; largeFiles: number; largeFileBytes: number }

export const DEFAULT_CORPUS: CorpusSpec = { textBytes: 256 << 20, binaryBytes: 256 << 20, smallFiles: 10_000, largeFiles: 2, largeFileBytes: 192 << 20 };

const WORDS = ('the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her ' +
  'she there been one all we their has would when if so no will can more its into out up some time could them other than then now only ' +
  'backup snapshot chunk block pack index catalog restore mount repository deduplicate compress archive folder file byte hash tree').split(' ');

/** xorshift32: fast, deterministic pseudo-random numbers for generating content. */
export class Rng {
  constructor(private s: number) {}
  next(): number {
    let x = this.s;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  fill(buf: Buffer): Buffer {
    const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
    for (let i = 0; i < words.length; i++) words[i] = this.next();
    for (let i = words.length * 4; i < buf.length; i++) buf[i] = this.next() & 0xff;
    return buf;
  }
  text(bytes: number): Buffer {
    const parts: string[] = [];
    let n = 0;
    while (n < bytes) {
      const w = WORDS[this.next() % WORDS.length] + (this.next() % 13 === 0 ? '.\n' : ' ');
      parts.push(w);
      n += w.length;
    }
    return Buffer.from(parts.join('')).subarray(0, bytes);
  }
}

async function writeInPieces(path: string, bytes: number, piece: (n: number) => Buffer): Promise<void> {
  const fh = await open(path, 'w');
  try {
    for (let done = 0; done < bytes;) {
      const n = Math.min(4 << 20, bytes - done);
      await fh.write(piece(n));
      done += n;
    }
  } finally {
    await fh.close();
  }
}

/** Writes the corpus into `dir`; returns its logical size in bytes. */
export async function generateCorpus(dir: string, spec: CorpusSpec = DEFAULT_CORPUS, seed = 1): Promise<number> {
  const rng = new Rng(seed);
  let total = 0;
  const textDir = join(dir, 'text'), binDir = join(dir, 'bin'), smallDir = join(dir, 'small'), largeDir = join(dir, 'large');
  for (const d of [textDir, binDir, largeDir]) await mkdir(d, { recursive: true });
  for (let i = 0, done = 0; done < spec.textBytes; i++) {
    const size = Math.min(spec.textBytes - done, 16_384 + (rng.next() % (2 << 20)));
    await writeFile(join(textDir, `doc${i}.txt`), rng.text(size));
    done += size;
  }
  total += spec.textBytes;
  for (let i = 0, done = 0; done < spec.binaryBytes; i++) {
    const size = Math.min(spec.binaryBytes - done, (1 << 20) + (rng.next() % (24 << 20)));
    await writeInPieces(join(binDir, `blob${i}.bin`), size, (n) => rng.fill(Buffer.allocUnsafe(n)));
    done += size;
  }
  total += spec.binaryBytes;
  for (let i = 0; i < spec.smallFiles; i++) {
    const sub = join(smallDir, `d${i % 100}`);
    if (i < 100) await mkdir(sub, { recursive: true });
    const size = 100 + (rng.next() % 8000);
    await writeFile(join(sub, `f${i}.txt`), rng.text(size));
    total += size;
  }
  for (let i = 0; i < spec.largeFiles; i++) {
    await writeInPieces(join(largeDir, `large${i}.dat`), spec.largeFileBytes, (n) => (i % 2 ? rng.fill(Buffer.allocUnsafe(n)) : rng.text(n)));
    total += spec.largeFileBytes;
  }
  return total;
}

/** Changes about `percent` % of the files in place (rewrites a slice of each), like a day of work. */
export async function changeCorpus(dir: string, percent: number, seed = 2): Promise<number> {
  const rng = new Rng(seed);
  let changed = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (rng.next() % 1000 < percent * 10) {
        const { size } = await stat(p);
        const fh = await open(p, 'r+');
        await fh.write(rng.text(Math.min(4096, size)), 0, Math.min(4096, size), rng.next() % Math.max(1, size));
        await fh.close();
        changed++;
      }
    }
  };
  await walk(dir);
  return changed;
}

export async function removeCorpus(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** DEFAULT_CORPUS scaled to about `factor` of its size (file counts and sizes alike; at least one file of each kind). */
export function scaledCorpus(factor: number): CorpusSpec {
  const d = DEFAULT_CORPUS;
  const scale = (n: number) => Math.max(1, Math.round(n * factor));
  return { textBytes: scale(d.textBytes), binaryBytes: scale(d.binaryBytes), smallFiles: scale(d.smallFiles), largeFiles: d.largeFiles, largeFileBytes: scale(d.largeFileBytes) };
}
