// Looks at the LMDB data file before lmdb maps it. LMDB trusts its file: a damaged meta page or
// a page number that points past the end makes the process die with SIGSEGV or SIGBUS, where
// no error can be caught. The index is derived state (rebuilt from the packs by repair), so a
// damaged one must be refused with a message, never opened.
//
// What is checked, with plain reads: both meta pages (flag, magic, data version, page size,
// the roots of the free-page and main trees within the file), then every page
// reachable from those roots (its header names its own page number, its kind is branch, leaf or
// overflow, its node offsets and sizes stay inside the page, child and overflow page numbers
// stay inside the file). The walk reads each page once: measured here, an index of 500,000
// blocks (a 137 MiB file) takes 66-100 ms. Past WALK_LIMIT_PAGES (64 MiB of 4 KiB pages, some
// 230,000 blocks, 15 GiB of 64 KiB chunks: ~30 ms) only the meta pages and roots are checked,
// so that a large repository does not pay the walk on every command; repair rebuilds whatever
// lmdb later reports damaged (blockIndex.ts).
//
// Layout (lmdb-js 3.x, LMDB "master3", 64-bit): a page header of 24 bytes: pgno u64, txnid u64,
// pad u16, flags u16, lower u16, upper u16 (lower/upper, and the node offsets after the header,
// count from the end of the header). A meta page holds after its header: magic u32, version u32,
// address u64, mapsize u64, two tree records of 48 bytes (pad u32 (the page size in the first),
// flags u16, depth u16, branch/leaf/overflow page counts u64, entries u64, root u64), last page
// u64, txnid u64. A node: lo u16, hi u16, flags u16, key size u16, key, data; in a branch node
// lo|hi<<16|flags<<32 is the child's page number; a leaf node with F_BIGDATA holds the page
// number of its first overflow page as data.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

const HEADER = 24;
const P_BRANCH = 0x01, P_LEAF = 0x02, P_OVERFLOW = 0x04, P_META = 0x08, P_LEAF2 = 0x20;
const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const F_BIGDATA = 0x01;
const P_INVALID = 0xffffffffffffffffn;
const NODE_HEADER = 8;
const WALK_LIMIT_PAGES = 16_384;
const RETRY_MS = 2000;

interface Meta { pageSize: number; roots: bigint[]; depths: number[]; txnid: bigint }

/**
 * What is wrong with the LMDB environment in folder `dir`, or null when it looks sound (or does
 * not exist yet: lmdb creates it).
 */
export function checkIndexFile(dir: string): string | null {
  let fd: number;
  try {
    fd = openSync(join(dir, 'data.mdb'), 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    return `cannot read it: ${(err as Error).message}`;
  }
  try {
    // Another process (a writable mount, a concurrent ingest) may commit while we read, and then
    // reuse pages of the tree we walk: damage is only believed when the newest transaction id
    // stays the same across the check. A writer that never pauses gets RETRY_MS, then is believed.
    const deadline = Date.now() + RETRY_MS;
    for (;;) {
      const before = newestTxnid(fd);
      const problem = checkFile(fd);
      if (!problem || newestTxnid(fd) === before || Date.now() > deadline) return problem;
    }
  } finally {
    closeSync(fd);
  }
}

// The newest transaction id of the two meta pages, or -1n when they cannot be read.
function newestTxnid(fd: number): bigint {
  const m0 = readMeta(readAt(fd, 0, 4096), 0);
  if (typeof m0 === 'string') return -1n;
  const m1 = readMeta(readAt(fd, m0.pageSize, 4096), 1);
  return typeof m1 === 'string' || m1.txnid < m0.txnid ? m0.txnid : m1.txnid;
}

// The meta pages are read before the file's size: LMDB writes a transaction's pages before the
// meta page that names them, so a size taken after the meta pages covers every page they name.
function checkFile(fd: number): string | null {
  const first = readAt(fd, 0, 4096);
  if (first.length === 0) return null;
  const meta0 = readMeta(first, 0);
  if (typeof meta0 === 'string') return `meta page 0: ${meta0}`;
  const { pageSize } = meta0;
  const meta1 = readMeta(readAt(fd, pageSize, Math.min(pageSize, 4096)), 1);
  const size = fstatSync(fd).size;
  if (size < 2 * pageSize) return `the file is shorter (${size} bytes) than its two meta pages`;
  if (typeof meta1 === 'string') return `meta page 1: ${meta1}`;
  if (meta1.pageSize !== pageSize) return `the meta pages disagree on the page size (${pageSize}, ${meta1.pageSize})`;
  const pages = BigInt(Math.floor(size / pageSize));
  for (const [i, m] of [meta0, meta1].entries()) {
    for (const root of m.roots) {
      if (root !== P_INVALID && (root < 2n || root >= pages)) return `meta page ${i} names root page ${root}, outside the file's ${pages} pages`;
    }
  }
  if (pages > WALK_LIMIT_PAGES) return null;
  const meta = meta1.txnid > meta0.txnid ? meta1 : meta0;
  const walker = new PageWalker(fd, pageSize, Number(pages));
  for (const [i, root] of meta.roots.entries()) {
    if (root === P_INVALID) continue;
    const problem = walker.tree(Number(root), meta.depths[i]);
    if (problem) return problem;
  }
  return null;
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, offset);
  return buf.subarray(0, n);
}

function readMeta(page: Buffer, pgno: number): Meta | string {
  if (page.length < HEADER + 160) return 'cut short';
  if (page.readBigUInt64LE(0) !== BigInt(pgno)) return 'wrong page number';
  if (!(page.readUInt16LE(18) & P_META)) return 'not a meta page';
  const m = HEADER;
  if (page.readUInt32LE(m) !== MAGIC) return 'bad magic number';
  if ((page.readUInt32LE(m + 4) & 0xffff) !== DATA_VERSION) return `unknown data version ${page.readUInt32LE(m + 4) & 0xffff}`;
  const pageSize = page.readUInt32LE(m + 24);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1))) return `impossible page size ${pageSize}`;
  const tree = (i: number) => m + 24 + 48 * i;
  return {
    pageSize,
    roots: [page.readBigUInt64LE(tree(0) + 40), page.readBigUInt64LE(tree(1) + 40)],
    depths: [page.readUInt16LE(tree(0) + 6), page.readUInt16LE(tree(1) + 6)],
    txnid: page.readBigUInt64LE(m + 128),
  };
}

class PageWalker {
  private readonly seen = new Set<number>();
  private readonly buf: Buffer;

  constructor(private readonly fd: number, private readonly pageSize: number, private readonly pages: number) {
    this.buf = Buffer.alloc(pageSize);
  }

  /** Checks the tree rooted at `root`, `depth` levels deep; a problem, or null. */
  tree(root: number, depth: number): string | null {
    const stack: Array<[number, number]> = [[root, 1]];
    while (stack.length) {
      const [pgno, level] = stack.pop()!;
      if (level > Math.max(depth, 1) || level > 64) return `page ${pgno} lies deeper than its tree (${depth} levels)`;
      const found = this.page(pgno);
      if (typeof found === 'string') return found;
      for (const child of found) stack.push([child, level + 1]);
    }
    return null;
  }

  // Checks one branch or leaf page; returns its children (branch) or [] (leaf), or a problem.
  private page(pgno: number): number[] | string {
    if (pgno < 2 || pgno >= this.pages) return `a tree names page ${pgno}, outside the file's ${this.pages} pages`;
    if (this.seen.has(pgno)) return `page ${pgno} is named twice`;
    this.seen.add(pgno);
    const p = this.buf;
    if (readSync(this.fd, p, 0, this.pageSize, pgno * this.pageSize) !== this.pageSize) return `page ${pgno} is cut short`;
    if (p.readBigUInt64LE(0) !== BigInt(pgno)) return `page ${pgno} says it is page ${p.readBigUInt64LE(0)}`;
    const flags = p.readUInt16LE(18);
    const lower = p.readUInt16LE(20), upper = p.readUInt16LE(22);
    const room = this.pageSize - HEADER;
    const kind = flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META);
    if (kind !== P_BRANCH && kind !== P_LEAF) return `page ${pgno} is neither a branch nor a leaf (flags ${flags.toString(16)})`;
    if (lower % 2 || lower > upper || upper > room) return `page ${pgno} has impossible bounds (${lower}, ${upper})`;
    if (flags & P_LEAF2) return [];   // fixed-size keys only, no nodes to follow
    const children: number[] = [];
    for (let i = 0; i < lower / 2; i++) {
      const at = p.readUInt16LE(HEADER + 2 * i);
      const node = HEADER + at;
      if (at < upper || at + NODE_HEADER > room) return `page ${pgno}: node ${i} lies outside the page`;
      const lo = p.readUInt16LE(node), hi = p.readUInt16LE(node + 2), nflags = p.readUInt16LE(node + 4), ksize = p.readUInt16LE(node + 6);
      if (at + NODE_HEADER + ksize > room) return `page ${pgno}: the key of node ${i} runs past the page`;
      if (kind === P_BRANCH) {
        const child = lo + hi * 0x10000 + nflags * 0x100000000;
        if (child < 2 || child >= this.pages) return `page ${pgno} names page ${child}, outside the file's ${this.pages} pages`;
        children.push(child);
        continue;
      }
      const dsize = lo + hi * 0x10000;
      if (nflags & F_BIGDATA) {
        if (at + NODE_HEADER + ksize + 8 > room) return `page ${pgno}: node ${i} runs past the page`;
        const first = Number(p.readBigUInt64LE(node + NODE_HEADER + ksize));
        const count = Math.ceil((dsize + HEADER) / this.pageSize);
        if (first < 2 || first + count > this.pages) return `page ${pgno} names overflow pages ${first}+${count}, outside the file`;
      } else if (at + NODE_HEADER + ksize + dsize > room) {
        return `page ${pgno}: the value of node ${i} runs past the page`;
      }
    }
    return children;
  }
}
