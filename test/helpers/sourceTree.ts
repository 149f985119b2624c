// Builds source trees with every kind of entry a backup meets, and describes a tree on disk
// (content hashes, modes, times, link targets, hard-link groups, xattrs) so that a source and
// its restored or mounted copy can be compared field by field.
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { link, lstat, mkdir, open, readdir, readlink, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readXattrs, writeXattrs } from '../../src/core/xattrs.js';

export interface TreeOptions {
  /** number of small files spread over a few folders */
  smallFiles?: number;
  /** size of one large random file, bytes (0 = none) */
  largeFile?: number;
  /** a file of exactly this many bytes (e.g. the maximum chunk size) */
  exactFile?: number;
  fifo?: boolean;
  xattrs?: boolean;
}

export const NON_UTF8_NAME = Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x2e, 0x62, 0x69, 0x6e]); // "fo\xff\xfe.bin"

/** Writes a varied tree into `dir` (which must exist). */
export async function buildSourceTree(dir: string, opts: TreeOptions = {}): Promise<void> {
  await writeFile(join(dir, 'hello.txt'), 'hello, world\n');
  await writeFile(join(dir, 'empty'), '');
  await writeFile(join(dir, 'random.bin'), randomBytes(300_000));
  await writeFile(join(dir, 'copy-of-random.bin'), await readFileBytes(join(dir, 'random.bin')));
  await writeFile(Buffer.concat([Buffer.from(dir + '/'), NON_UTF8_NAME]), 'bytes under a name that is not UTF-8\n');
  await writeFile(join(dir, 'zeros.bin'), Buffer.alloc(1 << 20));
  await symlink('hello.txt', join(dir, 'link-to-hello'));
  await symlink('/nonexistent/target', join(dir, 'dangling'));
  await link(join(dir, 'hello.txt'), join(dir, 'hardlink-to-hello'));
  let deep = join(dir, 'deep');
  for (let i = 0; i < 20; i++) deep = join(deep, `level${i}`);
  await mkdir(deep, { recursive: true });
  await writeFile(join(deep, 'bottom.txt'), 'the bottom\n');
  await mkdir(join(dir, 'private'), { mode: 0o700 });
  await writeFile(join(dir, 'private', 'secret'), 'secret\n', { mode: 0o600 });
  await writeFile(join(dir, 'script.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  await utimes(join(dir, 'hello.txt'), new Date('2020-02-29T12:34:56.789Z'), new Date('2021-03-04T05:06:07.891Z'));
  if (opts.fifo) execFileSync('mkfifo', [join(dir, 'a-fifo')]);
  if (opts.xattrs) {
    const fh = await open(join(dir, 'hello.txt'), 'r');
    try {
      await writeXattrs(fh.fd, [['user.comment', Buffer.from('kept')]]);
    } finally {
      await fh.close();
    }
  }
  if (opts.exactFile) await writeFile(join(dir, 'exact.bin'), randomBytes(opts.exactFile));
  if (opts.largeFile) await writeLargeRandomFile(join(dir, 'large.bin'), opts.largeFile);
  for (let i = 0; i < (opts.smallFiles ?? 0); i++) {
    const sub = join(dir, 'many', `d${i % 20}`);
    if (i < 20) await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `f${i}.txt`), `file number ${i}\n`.repeat(1 + (i % 7)));
  }
}

async function readFileBytes(path: string): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path);
}

export async function writeLargeRandomFile(path: string, size: number): Promise<void> {
  const fh = await open(path, 'w');
  try {
    const piece = Buffer.allocUnsafe(1 << 20);
    for (let done = 0; done < size;) {
      const n = Math.min(piece.length, size - done);
      randomFillSync(piece);
      await fh.write(piece, 0, n);
      done += n;
    }
  } finally {
    await fh.close();
  }
}

export interface EntryFacts {
  kind: string;
  mode: number;
  size: number;
  mtimeMs: number;
  sha256?: string;
  target?: string;
  xattrs?: string;
  /** the smallest path with the same inode, for hard links */
  linkGroup?: string;
}

/** Facts about every entry under `root`, keyed by relative path (bytes as latin1). */
export async function describeTree(root: string): Promise<Map<string, EntryFacts>> {
  const facts = new Map<string, EntryFacts>();
  const inodes = new Map<string, string>();
  const walk = async (dir: Buffer, rel: string) => {
    for (const name of await readdir(dir, { encoding: 'buffer' })) {
      const path = Buffer.concat([dir, Buffer.from('/'), name]);
      const relPath = rel + '/' + name.toString('latin1');
      const st = await lstat(path);
      // whole milliseconds from the exact nanoseconds: Math.floor(st.mtimeMs) of a time a few
      // hundred ns below a millisecond could round up in the double and differ by 1 ms from the
      // restored copy (restore keeps microseconds)
      const mtimeMs = Number((await lstat(path, { bigint: true })).mtimeNs / 1_000_000n);
      const f: EntryFacts = { kind: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : 'other',
        mode: st.mode, size: st.isFile() || st.isSymbolicLink() ? st.size : 0, mtimeMs };
      if (st.isFile()) {
        const fh = await open(path, 'r');
        try {
          const hash = createHash('sha256');
          const buf = Buffer.allocUnsafe(1 << 20);
          for (;;) {
            const { bytesRead } = await fh.read(buf, 0, buf.length, null);
            if (!bytesRead) break;
            hash.update(buf.subarray(0, bytesRead));
          }
          f.sha256 = hash.digest('hex');
          const x = await readXattrs(fh.fd);
          if (x.length) f.xattrs = x.map(([k, v]) => `${k}=${v.toString('hex')}`).join(',');
        } finally {
          await fh.close();
        }
        if (st.nlink > 1) {
          const key = `${st.dev}:${st.ino}`;
          const first = inodes.get(key);
          if (first === undefined || relPath < first) inodes.set(key, relPath);
          f.linkGroup = key;
        }
      }
      if (st.isSymbolicLink()) f.target = (await readlink(path, { encoding: 'buffer' })).toString('latin1');
      facts.set(relPath, f);
      if (st.isDirectory()) await walk(path, relPath);
    }
  };
  await walk(Buffer.from(root), '');
  // A hard-link group is named by its smallest path, so trees with other inode numbers compare equal.
  for (const f of facts.values()) if (f.linkGroup) f.linkGroup = inodes.get(f.linkGroup);
  return facts;
}
