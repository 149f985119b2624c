// The chunker's throughput (MB/s, single thread, median of several runs) on 256 MiB of random
// bytes and on real text (this project's node_modules sources), through chunkBuffer,
// chunkStream and chunkFile on a cached file; and the chunk-size distribution the defaults give.
import { randomFillSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chunker, chunkFile, chunkStats, chunkStream, type Chunk, type ChunkerParams } from '../src/chunker/index.js';
import { formatBytes } from '../src/core/size.js';
import { formatTable } from '../src/ui/formatSnapshot.js';

const MiB = 1024 * 1024;
const RUNS = 5;
const TEXT_LIMIT = 128 * MiB;
const SMALL_PARAMS: ChunkerParams = { min: 4096, avg: 16384, max: 65536, level: 2, seed: 0n };

/** The project's .js/.mjs/.cjs/.ts/.json/.md files under node_modules, concatenated in path order, up to `limit` bytes. */
function textCorpus(limit: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (total >= limit) return;
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && /\.(m?js|cjs|ts|json|md)$/.test(e.name)) {
        const bytes = readFileSync(path);
        parts.push(bytes);
        total += bytes.length;
      }
    }
  };
  walk(fileURLToPath(new URL('../../node_modules', import.meta.url)));
  return Buffer.concat(parts).subarray(0, limit);
}

async function medianMBps(bytes: number, run: () => unknown): Promise<string> {
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await run();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  seconds.sort((a, b) => a - b);
  return (bytes / seconds[RUNS >> 1] / 1e6).toFixed(0);
}

async function drain(chunks: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of chunks) { /* the chunks are the work */ }
}

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < bytes.length; off += size) yield bytes.subarray(off, off + size);
}

/** Counts per power-of-two size band from min up, with chunks cut at max counted apart. */
function histogram(chunks: Chunk[], params: ChunkerParams): string[][] {
  const rows: string[][] = [];
  const pct = (n: number) => `${((100 * n) / chunks.length).toFixed(1)}%`;
  const lengths = chunks.slice(0, -1).map((c) => c.length); // the last chunk is cut by the end of input
  const below = lengths.filter((n) => n < params.min).length;
  if (below) rows.push([`< ${formatBytes(params.min)}`, String(below), pct(below)]);
  for (let lo = params.min; lo < params.max; lo *= 2) {
    const hi = Math.min(lo * 2, params.max);
    const n = lengths.filter((len) => len >= lo && len < hi).length;
    rows.push([`${formatBytes(lo)} .. < ${formatBytes(hi)}`, String(n), pct(n)]);
  }
  const atMax = lengths.filter((n) => n === params.max).length;
  rows.push([`= ${formatBytes(params.max)} (max)`, String(atMax), pct(atMax)]);
  return rows;
}

export async function benchChunker(): Promise<void> {
  const inputs: Array<[string, Buffer]> = [
    ['random', randomFillSync(Buffer.allocUnsafe(256 * MiB))],
    ['text', textCorpus(TEXT_LIMIT)],
  ];
  const chunker = new Chunker();
  const small = new Chunker(SMALL_PARAMS);
  const dir = await mkdtemp(join(tmpdir(), 'dedupfs-bench-'));
  try {
    const speed: string[][] = [];
    for (const [name, bytes] of inputs) {
      const file = join(dir, name);
      await writeFile(file, bytes);
      const size = `${name} ${formatBytes(bytes.length)}`;
      const avg = formatBytes(chunker.params.avg);
      speed.push([size, 'chunkBuffer', avg, await medianMBps(bytes.length, () => chunker.chunkBuffer(bytes))]);
      speed.push([size, 'chunkBuffer', formatBytes(small.params.avg), await medianMBps(bytes.length, () => small.chunkBuffer(bytes))]);
      speed.push([size, 'chunkStream, 1 MiB pieces', avg, await medianMBps(bytes.length, () => drain(chunkStream(pieces(bytes, MiB), chunker)))]);
      speed.push([size, 'chunkFile, cached file', avg, await medianMBps(bytes.length, () => drain(chunkFile(file, chunker)))]);
    }
    process.stdout.write(`throughput, single thread, median of ${RUNS} runs (MB/s = 10^6 bytes/s)\n`);
    process.stdout.write(formatTable(['input', 'path', 'avg', 'MB/s'], speed));

    const p = chunker.params;
    process.stdout.write(`\nchunk sizes with the defaults (min ${formatBytes(p.min)}, avg ${formatBytes(p.avg)}, max ${formatBytes(p.max)}, level ${p.level})\n`);
    const stats: string[][] = [];
    for (const [name, bytes] of inputs) {
      const chunks = chunker.chunkBuffer(bytes);
      const s = chunkStats(chunks.map((c) => c.length));
      stats.push([name, String(s.count), formatBytes(s.mean), formatBytes(s.stddev), formatBytes(s.smallest), formatBytes(s.largest)]);
      process.stdout.write(`\n${name}:\n${formatTable(['size', 'chunks', 'share'], histogram(chunks, p))}`);
    }
    process.stdout.write(`\n${formatTable(['input', 'chunks', 'mean', 'stddev', 'smallest', 'largest'], stats)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
