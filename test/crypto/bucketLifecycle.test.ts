// An encrypted repository in a real S3 bucket (scripts/s3-server.sh), through the CLI: `init`
// makes one by default; ingest, restore, cat, mount, forget, gc, check --read-data and repair
// work, restores compared by hash; an unchanged re-ingest sends 9 requests; no object of the bucket holds a 32-byte run of a source file
// or a file name (read through the SDK, as anyone holding the bucket could); a second host with
// an empty cache catches up from the sealed index objects and records; a wrong password exits
// 12 and writes no object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/tempDir.js';
import { startMount, stopMount } from '../mount/mountProcess.js';
import { bucketRepo, ok, skipS3 } from '../s3/bucketRepo.js';
import { hashesUnder, keyHost, objectsOf } from './encryptedBucket.js';
import { plaintextFound, sourceTree } from './plaintext.js';

/** Each object's key and the hash of its bytes: to show that nothing was written. */
async function bucketState(repo: string): Promise<string[]> {
  return [...await objectsOf(repo)].map(([k, b]) => `${k} ${createHash('sha256').update(b).digest('hex')}`).sort();
}

test('encrypted bucket: the whole lifecycle, no plaintext in any object, a second host catches up, a wrong password writes nothing', { skip: skipS3, timeout: 300_000 }, async (t) => {
  const dir = await tempDir(t);
  const repo = await bucketRepo(t);
  const a = await keyHost(t, repo, 'correct horse battery staple');
  const init = await ok(a, ['init']);
  assert.match(init.stdout, /hash keyed blake3, .*encrypted/);
  const objects = await objectsOf(repo);
  assert.equal(JSON.parse(objects.get('config.json')!.toString()).format, 4);
  assert.ok(objects.has('keys.json'), 'the keyring is in the bucket');

  const src = join(dir, 'source-of-the-secret-tree');
  const { names, runs } = await sourceTree(src);
  const first = JSON.parse((await ok(a, ['ingest', '--json', src])).stdout);
  await writeFile(join(src, 'added-later-and-forgotten.txt'), 'a file only the first snapshot lacks\n');
  const second = JSON.parse((await ok(a, ['ingest', '--json', src])).stdout);
  assert.ok(second.added.blocks >= 2 && second.added.blocks < 6, `only the new file and trees (${second.added.blocks})`);
  const unchanged = JSON.parse((await ok(a, ['ingest', '--json', src])).stdout);
  const sent = Object.entries(unchanged.requests as Record<string, number>).filter(([k]) => k !== 'retries').reduce((n, [, v]) => n + v, 0);
  assert.equal(sent, 9, `an unchanged re-ingest: the 8 requests of a plain bucket and the GET of keys.json (${JSON.stringify(unchanged.requests)})`);

  const restore = async (h: typeof a, snapshot: string, name: string) => {
    const out = join(dir, name);
    await ok(h, ['restore', '-q', snapshot, out]);
    return hashesUnder(out);
  };
  assert.deepEqual(await restore(a, first.id, 'first'), await hashesUnder(src).then((m) => (m.delete('/added-later-and-forgotten.txt'), m)));
  assert.deepEqual(await restore(a, second.id, 'second'), await hashesUnder(src));
  assert.equal((await ok(a, ['cat', `${second.id}:${join(src, names[1])}`])).stdout, await readFile(join(src, names[1]), 'utf8'));

  process.env.XDG_CACHE_HOME = a.cache;
  process.env.DEDUPFS_PASSWORD_FILE = a.passwordFile;
  await mkdir(join(dir, 'mnt'));
  const m = await startMount(t, { repo, mountpoint: join(dir, 'mnt') });
  assert.deepEqual(await readFile(join(m.mountpoint, 'ids', second.id.slice(0, 8), names[1])), await readFile(join(src, names[1])));
  await stopMount(m); // it holds a shared lock, which gc would wait for

  // Nothing anyone holding the bucket reads shows a file's bytes or name.
  assert.deepEqual(plaintextFound(await objectsOf(repo), [...names, 'source-of-the-secret-tree', 'added-later-and-forgotten'], runs), []);
  for (const [key, bytes] of await objectsOf(repo)) {
    if (key.startsWith('index/')) assert.ok(!bytes.subarray(0, 8).equals(Buffer.from('DDFSIX01')), `${key} is sealed`);
  }

  // A second host, an empty cache: the sealed index objects and records are read with its key.
  const b = await keyHost(t, repo, 'correct horse battery staple');
  assert.deepEqual(JSON.parse((await ok(b, ['snapshots', '--json'])).stdout).map((s: { id: string }) => s.id), [first.id, second.id, unchanged.id]);
  assert.deepEqual(await restore(b, 'latest', 'on-b'), await hashesUnder(src));

  await ok(a, ['forget', first.id, unchanged.id]);
  const gc = JSON.parse((await ok(a, ['gc', '--json'])).stdout);
  assert.ok(gc.result, 'gc ran');
  const check = await a.run(['check', '--read-data']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  await ok(a, ['repair', '-q']);
  assert.equal((await b.run(['check', '--read-data'])).code, 0, 'the other host follows gc and repair');
  assert.deepEqual(await restore(b, 'latest', 'after-repair'), await hashesUnder(src));
  assert.deepEqual(plaintextFound(await objectsOf(repo), [...names, 'source-of-the-secret-tree'], runs), [], 'gc and repair wrote sealed objects only');

  const before = await bucketState(repo);
  const wrong = await keyHost(t, repo, 'wrong horse');
  for (const args of [['ingest', src], ['snapshots'], ['restore', 'latest', join(dir, 'nope')], ['repair'], ['key', 'rotate']]) {
    const r = await wrong.run(args);
    assert.equal(r.code, 12, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /^dedupfs: wrong password: no key of the repository opens with it\n {2}\S.*\n$/);
  }
  assert.deepEqual(await bucketState(repo), before, 'a wrong password wrote no object');
});

test('init, ingest --init and copy --init on a bucket are encrypted unless --encryption none; a folder stays plain', { skip: skipS3, timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'src');
  await sourceTree(src);
  const format = async (repo: string) => JSON.parse((await objectsOf(repo)).get('config.json')!.toString()).format as number;

  const sealed = await bucketRepo(t, 'sealed');
  const a = await keyHost(t, sealed, 'pw');
  const made = await ok(a, ['ingest', '--init', src]);
  assert.match(made.stderr, /^created repository s3:\S+, encrypted\n/);
  assert.equal(await format(sealed), 4);

  const plain = await bucketRepo(t, 'plain');
  const p = await keyHost(t, plain, 'pw');
  const plainMade = await ok(p, ['ingest', '--init', '--encryption', 'none', src]);
  assert.match(plainMade.stderr, /^created repository s3:\S+, not encrypted: anyone who can read its files can read the backups\n/);
  assert.equal(await format(plain), 2);

  // No password anywhere (cron): one line, and no object written.
  const none = await bucketRepo(t, 'none');
  const n = await keyHost(t, none, 'pw');
  for (const args of [['init'], ['ingest', '--init', src], ['copy', '--init', '--from-repo', plain]]) {
    const r = await n.run(args, { DEDUPFS_PASSWORD_FILE: undefined });
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, /^dedupfs: [^\n]*password[^\n]*\n {2}\S[^\n]*\n$/, args.join(' '));
    assert.deepEqual([...(await objectsOf(none)).keys()], [], `${args[0]} wrote nothing`);
  }
  const copied = await ok(n, ['copy', '--init', '--from-repo', plain]);
  assert.match(copied.stderr, /created repository s3:\S+, encrypted/);
  assert.equal(await format(none), 4);

  const folder = join(dir, 'folder');
  await ok(a, ['ingest', '--init', '-q', src], { DEDUPFS_REPO: folder });
  assert.equal(JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')).format, 1, 'a folder keeps today\'s default');
});
