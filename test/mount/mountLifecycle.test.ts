// The life of a mount, through the real CLI: snapshots made and forgotten while mounted come
// and go; SIGTERM, SIGINT and `dedupfs umount` leave no mount behind; the remains of a killed
// mount, and every other unusable mount point, get a message that says what to do; a damaged
// chunk fails the reads of its file with EIO and nothing else.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressFromHex } from '../../src/core/address.js';
import { packPath } from '../../src/core/layout.js';
import { openRepository } from '../../src/repo/repository.js';
import { HEADER_BYTES } from '../../src/store/pack/format.js';
import { loadChunkTable } from '../../src/tree/chunkList.js';
import { decodeTree } from '../../src/tree/treeCodec.js';
import { runCli, runCommand } from '../helpers/cli.js';
import { buildSourceTree } from '../helpers/sourceTree.js';
import { forceUnmount, isMounted, startMount } from './mountProcess.js';

let work: string, src: string, repo: string;
let first: { id: string; time: string };
let counter = 0;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'dedupfs-mount-life-'));
  src = join(work, 'src');
  repo = join(work, 'repo');
  await mkdir(src);
  await buildSourceTree(src, { smallFiles: 20 });
  const r = await runCli(['ingest', '--init', src, '--json'], { repo });
  assert.equal(r.code, 0, r.stderr);
  first = JSON.parse(r.stdout);
});

after(() => rm(work, { recursive: true, force: true }));

async function freshMountpoint(): Promise<string> {
  const dir = join(work, `mnt${counter++}`);
  await mkdir(dir);
  return dir;
}

function waitExit(m: { exited: Promise<{ code: number | null }> }, ms = 15_000): Promise<{ code: number | null }> {
  return Promise.race([m.exited, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error('the mount process did not exit')), ms).unref())]);
}

test('a snapshot made while mounted appears, and a forgotten one goes, without remounting', { timeout: 120_000 }, async (t) => {
  const m = await startMount(t, { repo, mountpoint: await freshMountpoint() });
  assert.equal((await readdir(join(m.mountpoint, 'snapshots'))).length, 1);
  const second = await runCli(['ingest', '--init', src, '--json', '--tag', 'later'], { repo });
  assert.equal(second.code, 0, second.stderr);
  const snap = JSON.parse(second.stdout) as { id: string };
  const names = await readdir(join(m.mountpoint, 'snapshots'));
  assert.equal(names.length, 2, `both snapshots are listed: ${names}`);
  assert.ok((await readdir(join(m.mountpoint, 'ids'))).includes(snap.id.slice(0, 8)));
  assert.deepEqual(await readdir(join(m.mountpoint, 'tags')), ['later']);
  assert.equal(await readlink(join(m.mountpoint, 'latest')), `snapshots/${names.sort()[1]}`);
  assert.equal(await readFile(join(m.mountpoint, 'ids', snap.id.slice(0, 8), 'hello.txt'), 'utf8'), 'hello, world\n');

  const forget = await runCli(['forget', snap.id], { repo });
  assert.equal(forget.code, 0, forget.stderr);
  assert.deepEqual(await readdir(join(m.mountpoint, 'ids')), [first.id.slice(0, 8)]);
  assert.deepEqual(await readdir(join(m.mountpoint, 'tags')), []);
  assert.equal(m.stderr(), '');
});

test('gc waits for a mount: it cannot take its exclusive lock while the mount holds a shared one', { timeout: 60_000 }, async (t) => {
  await startMount(t, { repo, mountpoint: await freshMountpoint() });
  const gc = await runCli(['gc'], { repo });
  assert.equal(gc.code, 11, gc.stderr);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} unmounts cleanly and exits 0`, { timeout: 60_000 }, async (t) => {
    const m = await startMount(t, { repo, mountpoint: await freshMountpoint(), args: ['--snapshot', 'latest'] });
    assert.ok(await isMounted(m.mountpoint));
    m.child.kill(signal);
    assert.equal((await waitExit(m)).code, 0, m.stderr());
    assert.equal(await isMounted(m.mountpoint), false, 'no mount is left in /proc/mounts');
    assert.match(m.stdout(), /unmounted/);
  });
}

test('dedupfs umount from another shell ends the mount process; a busy mount says so', { timeout: 60_000 }, async (t) => {
  const m = await startMount(t, { repo, mountpoint: await freshMountpoint() });
  const fh = await open(join(m.mountpoint, 'latest', 'hello.txt'));
  const busy = await runCli(['umount', m.mountpoint]);
  await fh.close();
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /busy/);
  assert.match(busy.stderr, /--lazy/);

  const r = await runCli(['umount', m.mountpoint]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await waitExit(m)).code, 0, m.stderr());
  assert.equal(await isMounted(m.mountpoint), false);
  const again = await runCli(['umount', m.mountpoint]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /nothing is mounted/);
  const other = await runCli(['umount', '/proc']);
  assert.match(other.stderr, /not a dedupfs mount/);
});

test('the remains of a killed mount are reported with what to do, and dedupfs umount clears them', { timeout: 60_000 }, async (t) => {
  const mountpoint = await freshMountpoint();
  t.after(() => forceUnmount(mountpoint));
  const m = await startMount(t, { repo, mountpoint });
  m.child.kill('SIGKILL');
  await waitExit(m);
  const stale = await runCli(['mount', mountpoint], { repo });
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /transport endpoint is not connected/);
  assert.ok(stale.stderr.includes(`dedupfs umount ${mountpoint}`), stale.stderr);
  const json = await runCli(['mount', mountpoint, '--json'], { repo });
  assert.equal(JSON.parse(json.stderr.trim().split('\n').pop() as string).code, 'MOUNT');

  assert.equal((await runCli(['umount', mountpoint])).code, 0);
  assert.equal(await isMounted(mountpoint), false);
  const m2 = await startMount(t, { repo, mountpoint });
  assert.deepEqual((await readdir(m2.mountpoint)).sort(), ['hosts', 'ids', 'latest', 'snapshots', 'tags']);
});

test('unusable mount points and bad options get clear messages', { timeout: 60_000 }, async (t) => {
  const missing = join(work, 'missing');
  const file = join(work, 'a-file');
  const full = await freshMountpoint();
  await writeFile(file, 'x');
  await writeFile(join(full, 'something'), 'x');
  const cases: Array<[string[], number, RegExp]> = [
    [['mount', missing], 1, /does not exist[\s\S]*mkdir -p/],
    [['mount', file], 1, /is not a folder/],
    [['mount', full], 1, /is not empty/],
    [['mount', await freshMountpoint(), '--snapshot', 'ffffffff'], 1, /no snapshot matches/],
    [['mount', await freshMountpoint(), '--cache-size', 'lots'], 2, /invalid size/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runCli(args, { repo });
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  const m = await startMount(t, { repo, mountpoint: await freshMountpoint() });
  const twice = await runCli(['mount', join(m.mountpoint, 'snapshots')], { repo });
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /not empty|already a mount point/);
  const onTop = await runCli(['mount', m.mountpoint], { repo });
  assert.match(onTop.stderr, /already a mount point|not empty/);
});

test('a damaged chunk fails the reads of its file with EIO, is logged with the file name, and nothing else breaks', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(work, 'damage-'));
  const dsrc = join(dir, 'src'), drepo = join(dir, 'repo');
  await mkdir(dsrc);
  await writeFile(join(dsrc, 'victim.bin'), randomBytes(1 << 20));
  await writeFile(join(dsrc, 'intact.bin'), randomBytes(1 << 20));
  assert.equal((await runCli(['ingest', '--init', dsrc], { repo: drepo })).code, 0);

  // Flip one byte inside the stored data of victim.bin's last chunk.
  const r = await openRepository(drepo, { lock: 'none', command: 'test' });
  let pack: string, at: number;
  try {
    const root = decodeTree(await r.store.get(addressFromHex(r.catalog.list()[0].root)));
    const victim = root.find((e) => e.name.toString() === 'victim.bin');
    const table = await loadChunkTable(r.store, victim?.content);
    const loc = r.store.index.get(table.address(table.count - 1));
    assert.ok(loc);
    pack = packPath(r.layout, loc.packId);
    at = loc.offset + HEADER_BYTES + Math.floor(loc.storedLength / 2);
  } finally {
    await r.close();
  }
  const fh = await open(pack, 'r+');
  const byte = Buffer.alloc(1);
  await fh.read(byte, 0, 1, at);
  byte[0] ^= 0xff;
  await fh.write(byte, 0, 1, at);
  await fh.close();

  await mkdir(join(dir, 'mnt'));
  const m = await startMount(t, { repo: drepo, mountpoint: join(dir, 'mnt'), args: ['--snapshot', 'latest'] });
  for (let i = 0; i < 2; i++) {
    const cat = await runCommand('cat', [join(m.mountpoint, 'victim.bin')]);
    assert.notEqual(cat.code, 0);
    assert.match(cat.stderr, /Input\/output error/);
  }
  const intact = await runCommand('cat', [join(m.mountpoint, 'intact.bin')]);
  assert.equal(intact.code, 0);
  assert.ok(intact.stdoutBytes.equals(await readFile(join(dsrc, 'intact.bin'))));
  assert.match(m.stderr(), /victim\.bin.*damaged/);
  assert.doesNotMatch(m.stderr(), /intact\.bin/);
  assert.ok(await isMounted(m.mountpoint), 'the mount stays up');
  assert.deepEqual((await readdir(m.mountpoint)).sort(), ['intact.bin', 'victim.bin']);
});
