// A snapshot seen through a real FUSE mount (served by a `dedupfs mount` child process) is the
// source tree: same names, bytes, modes, owners, times, link counts and hard links, in both
// layouts; random reads return the source's bytes; every change fails with EROFS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { chmod, chown, link, lstat, mkdir, mkdtemp, open, readdir, readFile, rename, rm, rmdir, symlink, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressFromHex } from '../../src/core/address.js';
import { unescapeName } from '../../src/tree/nameEscape.js';
import { openRepository } from '../../src/repo/repository.js';
import { loadChunkTable } from '../../src/tree/chunkList.js';
import { decodeTree } from '../../src/tree/treeCodec.js';
import { runCli, runCommand } from '../helpers/cli.js';
import { NON_UTF8_NAME, buildSourceTree, describeTree, type EntryFacts } from '../helpers/sourceTree.js';
import { startMount } from './mountProcess.js';

const LARGE = 300 << 20;
const NON_UTF8_SHOWN = 'fo\\xff\\xfe.bin';
let work: string, src: string, repo: string;
let snapshot: { id: string; time: string };

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'dedupfs-mount-'));
  src = join(work, 'src');
  repo = join(work, 'repo');
  await mkdir(src);
  await buildSourceTree(src, { smallFiles: 300, largeFile: LARGE });
  const r = await runCli(['ingest', '--init', src, '--json', '--tag', 'nightly'], { repo });
  assert.equal(r.code, 0, r.stderr);
  snapshot = JSON.parse(r.stdout);
});

after(() => rm(work, { recursive: true, force: true }));

async function mountAt(t: { after(fn: () => Promise<void>): void }, name: string, args: string[] = []) {
  const mountpoint = join(work, name);
  await mkdir(mountpoint);
  return startMount(t, { repo, mountpoint, args });
}

/** diff -r (a child process) of the source and `dir`; the non-UTF-8 name is compared apart. */
async function assertSameAsSource(dir: string): Promise<void> {
  const diff = await runCommand('diff', ['-r', '--no-dereference', '-x', 'fo*.bin', src, dir]);
  assert.equal(diff.code, 0, `diff found differences:\n${diff.stdout}${diff.stderr}`);
  const names = await readdir(dir);
  assert.ok(names.includes(NON_UTF8_SHOWN), `the non-UTF-8 name is shown escaped: ${names.join(', ')}`);
  assert.deepEqual(unescapeName(NON_UTF8_SHOWN), NON_UTF8_NAME);
  const cmp = await runCommand('cmp', [join(dir, NON_UTF8_SHOWN), '-'], { input: await readFile(Buffer.concat([Buffer.from(`${src}/`), NON_UTF8_NAME])) });
  assert.equal(cmp.code, 0, cmp.stdout + cmp.stderr);
}

/** A describeTree path of the mount ('/a/b', names as latin1) with each shown name turned back into its stored bytes. */
function storedPath(path: string): string {
  return path.split('/').map((part) => unescapeName(Buffer.from(part, 'latin1').toString('utf8')).toString('latin1')).join('/');
}

/** describeTree facts of the mount, keyed and grouped by stored names like the source's. */
function storedKeys(facts: Map<string, EntryFacts>): Map<string, EntryFacts> {
  const out = new Map<string, EntryFacts>();
  for (const [path, f] of facts) out.set(storedPath(path), f.linkGroup ? { ...f, linkGroup: storedPath(f.linkGroup) } : f);
  return out;
}

/** Modes, sizes, times, contents, targets and hard links (describeTree), then owners, link counts and shared inodes. */
async function assertSameAttributes(dir: string): Promise<void> {
  const expected = await describeTree(src);
  const seen = storedKeys(await describeTree(dir));
  assert.deepEqual([...seen.keys()].sort(), [...expected.keys()].sort());
  for (const [path, facts] of expected) assert.deepEqual(seen.get(path), facts, path);
  for (const path of ['/hello.txt', '/private', '/private/secret', '/link-to-hello', '/many/d3/f3.txt', '/large.bin']) {
    const a = await lstat(join(src, path)), b = await lstat(join(dir, path));
    const size = (st: typeof a) => (st.isDirectory() ? 0 : st.size); // folder sizes are not stored
    assert.deepEqual([b.uid, b.gid, b.nlink, b.mode, size(b), Math.floor(b.mtimeMs)], [a.uid, a.gid, a.nlink, a.mode, size(a), Math.floor(a.mtimeMs)], path);
  }
  const [hello, hard, other] = await Promise.all(['hello.txt', 'hardlink-to-hello', 'random.bin'].map((n) => lstat(join(dir, n))));
  assert.equal(hello.ino, hard.ino, 'hard links share an inode number');
  assert.notEqual(hello.ino, other.ino);
  assert.equal(hello.nlink, 2);
}

test('catalog layout: every name of the snapshot shows the source tree', { timeout: 300_000 }, async (t) => {
  const m = await mountAt(t, 'catalog');
  const name = `${snapshot.time.slice(0, 19)}Z`;
  const short = snapshot.id.slice(0, 8);
  assert.deepEqual((await readdir(m.mountpoint)).sort(), ['hosts', 'ids', 'latest', 'snapshots', 'tags']);
  assert.deepEqual(await readdir(join(m.mountpoint, 'snapshots')), [name]);
  assert.deepEqual(await readdir(join(m.mountpoint, 'ids')), [short]);
  assert.deepEqual(await readdir(join(m.mountpoint, 'tags')), ['nightly']);
  const ls = await runCommand('readlink', [join(m.mountpoint, 'latest')]);
  assert.equal(ls.stdout.trim(), `snapshots/${name}`);
  const hosts = await readdir(join(m.mountpoint, 'hosts'));
  assert.equal(hosts.length, 1);

  await assertSameAsSource(join(m.mountpoint, 'snapshots', name));
  // Every alias is the same folder.
  const inos = await Promise.all([join('snapshots', name), join('ids', short), join('hosts', hosts[0], name), join('tags', 'nightly', name), 'latest/']
    .map(async (p) => (await lstat(join(m.mountpoint, p))).ino));
  assert.equal(new Set(inos).size, 1, `aliases share the inode: ${inos}`);
  await assertSameAttributes(join(m.mountpoint, 'latest/'));
});

test('--snapshot layout: the root is the snapshot tree', { timeout: 300_000 }, async (t) => {
  const m = await mountAt(t, 'single', ['--snapshot', snapshot.id.slice(0, 6)]);
  await assertSameAsSource(m.mountpoint);
  await assertSameAttributes(m.mountpoint);
});

test('1,000 reads at random offsets and lengths, many across chunk boundaries, return the source bytes', { timeout: 300_000 }, async (t) => {
  const m = await mountAt(t, 'random', ['--snapshot', 'latest', '--cache-size', '16M']);
  const r = await openRepository(repo, { lock: 'none', command: 'test' });
  let offsets: Float64Array;
  try {
    const entry = decodeTree(await r.store.get(addressFromHex((r.catalog.list().at(-1) as { root: string }).root)))
      .find((e) => e.name.toString() === 'large.bin');
    offsets = (await loadChunkTable(r.store, entry?.content)).offsets;
  } finally {
    await r.close();
  }
  assert.ok(offsets.length > 1000, `large.bin has many chunks (${offsets.length - 1})`);
  const reads: Array<[number, number]> = [];
  for (let i = 0; i < 1000; i++) {
    if (i % 2 === 0) {
      const boundary = offsets[randomInt(1, offsets.length - 1)];
      reads.push([boundary - randomInt(1, 70_000), randomInt(70_001, 300_000)]); // spans one or more boundaries
    } else if (i % 50 === 1) {
      reads.push([LARGE - randomInt(1, 5000), randomInt(1, 100_000)]); // runs past the end
    } else {
      reads.push([randomInt(0, LARGE), randomInt(1, 1 << 20)]);
    }
  }
  const [a, b] = await Promise.all([open(join(src, 'large.bin')), open(join(m.mountpoint, 'large.bin'))]);
  try {
    for (let i = 0; i < reads.length; i += 8) {
      await Promise.all(reads.slice(i, i + 8).map(async ([pos, len]) => {
        const [x, y] = await Promise.all([a.read(Buffer.alloc(len), 0, len, pos), b.read(Buffer.alloc(len), 0, len, pos)]);
        assert.equal(y.bytesRead, x.bytesRead, `read of ${len} at ${pos}`);
        assert.ok(y.buffer.equals(x.buffer), `bytes of the read of ${len} at ${pos}`);
      }));
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('with a tiny cache, four readers at once get the bytes of every file (the cache reuses the memory of evicted blocks)', { timeout: 300_000 }, async (t) => {
  const m = await mountAt(t, 'tiny', ['--snapshot', 'latest', '--cache-size', '512K']);
  // sha256sum of every regular file, four at a time, by path relative to the tree's root.
  const sums = async (root: string) => {
    const r = await runCommand('sh', ['-c', 'cd "$1" && find . -type f ! -name "fo*.bin" -print0 | sort -z | xargs -0 -P 4 -n 8 sha256sum | sort -k 2', 'sh', root]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const [mounted, source] = await Promise.all([sums(m.mountpoint), sums(src)]);
  assert.ok(source.split('\n').length > 300, 'every file is compared');
  assert.equal(mounted, source);
});

test('writes, creates, renames, chmods and deletes fail with EROFS and change nothing', { timeout: 120_000 }, async (t) => {
  const m = await mountAt(t, 'readonly');
  const root = join(m.mountpoint, 'latest/');
  const p = (name: string) => join(root, name);
  const attempts: Array<[string, () => Promise<unknown>]> = [
    ['write', () => writeFile(p('hello.txt'), 'changed')],
    ['open r+', () => open(p('hello.txt'), 'r+')],
    ['append', () => open(p('hello.txt'), 'a')],
    ['create', () => writeFile(p('new.txt'), 'new')],
    ['truncate', () => truncate(p('hello.txt'), 0)],
    ['rename', () => rename(p('hello.txt'), p('renamed.txt'))],
    ['chmod', () => chmod(p('hello.txt'), 0o777)],
    ['chown', () => chown(p('hello.txt'), 1234, 1234)],
    ['utimes', () => utimes(p('hello.txt'), new Date(), new Date())],
    ['unlink', () => unlink(p('hello.txt'))],
    ['mkdir', () => mkdir(p('newdir'))],
    ['rmdir', () => rmdir(p('private'))],
    ['symlink', () => symlink('hello.txt', p('newlink'))],
    ['link', () => link(p('hello.txt'), p('newhard'))],
    ['unlink latest', () => unlink(join(m.mountpoint, 'latest'))],
    ['mkdir in snapshots/', () => mkdir(join(m.mountpoint, 'snapshots', 'x'))],
  ];
  for (const [what, attempt] of attempts) {
    await assert.rejects(attempt(), (err: NodeJS.ErrnoException) => err.code === 'EROFS', what);
  }
  const sh = await runCommand('sh', ['-c', 'echo x > "$1"/hello.txt', 'sh', root]);
  assert.notEqual(sh.code, 0);
  assert.match(sh.stderr, /Read-only file system/);
  assert.equal(await readFile(p('hello.txt'), 'utf8'), 'hello, world\n');
  assert.equal((await lstat(p('hello.txt'))).mode, (await lstat(join(src, 'hello.txt'))).mode);
  assert.deepEqual((await readdir(root)).sort(), (await readdir(src)).map((n) => (n.startsWith('fo') && n.endsWith('.bin') ? NON_UTF8_SHOWN : n)).sort());
  assert.equal(m.stderr(), '', 'nothing was logged');
});
