// The keys of an encrypted repository in a real S3 bucket, through the CLI: key add, list,
// passwd, remove --rotate and rotate on the keys.json object; a write-only key ingests twice
// (deduplicated) and reads nothing back; gc --rewrite-all after a revocation, and the revoked
// password opens nothing; an older keys.json put back is refused on a machine that saw a newer
// one. Two hosts running key commands at once both land (the exclusive lock object keeps them
// apart, no conditional PUT needed); key commands killed with SIGKILL at random moments leave
// the old key set or the new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openBackend } from '../../src/backend/openBackend.js';
import { tempDir } from '../helpers/tempDir.js';
import { runAndKill } from './killCommand.js';
import { bucketRepo, ok, skipS3 } from '../s3/bucketRepo.js';
import { hashesUnder, keyHost, objectsOf } from './encryptedBucket.js';

async function putObject(repo: string, key: string, bytes: Buffer): Promise<void> {
  const backend = await openBackend(repo);
  try {
    await backend.put(key, bytes);
  } finally {
    await backend.close();
  }
}

test('encrypted bucket keys: add, passwd, remove --rotate, rotate, a write-only key, gc --rewrite-all, rollback refused', { skip: skipS3, timeout: 400_000 }, async (t) => {
  const dir = await tempDir(t);
  const repo = await bucketRepo(t);
  const a = await keyHost(t, repo, 'first full');
  const file = async (name: string, text: string) => {
    await writeFile(join(dir, name), `${text}\n`);
    return join(dir, name);
  };
  const src = join(dir, 'src');
  await mkdir(join(src, 'sub'), { recursive: true });
  await writeFile(join(src, 'data.bin'), randomBytes(400_000));
  await writeFile(join(src, 'sub', 'note.txt'), 'a note\n');
  await ok(a, ['init', '-q']);
  await ok(a, ['ingest', '-q', src]);
  const ids = async () => JSON.parse((await ok(a, ['key', 'list', '--json'])).stdout).map((k: { id: string; kind: string }) => `${k.kind} ${k.id}`).sort();

  const second = JSON.parse((await ok(a, ['key', 'add', '--json', '--new-password-file', await file('second', 'second full')])).stdout);
  const cron = JSON.parse((await ok(a, ['key', 'add', '--json', '--write-only', '--new-password-file', await file('cron', 'cron')])).stdout);
  assert.equal((await ids()).length, 3);
  const keysBefore = (await objectsOf(repo)).get('keys.json')!;

  // The write-only host: ingests (the second run deduplicated), lists, reads nothing back.
  const w = await keyHost(t, repo, 'cron');
  const first = JSON.parse((await ok(w, ['ingest', '--json', src])).stdout);
  assert.ok(first.added.rawBytes < 4096, `nothing but trees is new (atimes changed by the reading): ${first.added.rawBytes} bytes`);
  await writeFile(join(src, 'more.txt'), 'more\n');
  const again = JSON.parse((await ok(w, ['ingest', '--json', src])).stdout);
  assert.equal(again.added.blocks, 2, 'the new file and the new root tree');
  assert.equal(JSON.parse((await ok(w, ['snapshots', '--json'])).stdout).length, 3);
  for (const args of [['restore', 'latest', join(dir, 'no')], ['cat', `latest:${join(src, 'more.txt')}`], ['check'], ['gc'], ['repair']]) {
    const r = await w.run(args);
    assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^dedupfs: a write-only key cannot ${args[0]}: it opens no stored block and no snapshot content\n {2}\\S.*\n$`));
  }
  const out = join(dir, 'out');
  await ok(a, ['restore', '-q', again.id, out]);
  assert.deepEqual(await hashesUnder(out), await hashesUnder(src), 'the full key restores what the write-only key stored');

  // passwd, then revocation of the second full key (remove --rotate), then one more rotation.
  const b = await keyHost(t, repo, 'second full');
  await ok(b, ['key', 'passwd', '--new-password-file', await file('renewed', 'second renewed')]);
  assert.equal((await b.run(['snapshots', '-q'])).code, 12, 'the old password of the second key no longer opens');
  const revoked = await keyHost(t, repo, 'second renewed');
  await ok(revoked, ['snapshots', '-q']);
  await ok(a, ['key', 'remove', '--rotate', second.key]);
  await ok(a, ['key', 'rotate']);
  const left = await ids();
  assert.equal(left.length, 2);
  assert.ok(left.includes(`write-only ${cron.key}`) && !left.includes(`full ${second.key}`), left.join(', '));
  assert.equal((await revoked.run(['snapshots', '-q'])).code, 12, 'the removed key opens nothing');
  await writeFile(join(src, 'after-rotation.txt'), 'sealed under the newest generation\n');
  await ok(w, ['ingest', '-q', src]);
  await ok(a, ['gc', '--rewrite-all', '-q']);
  const check = await a.run(['check', '--read-data']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const latest = join(dir, 'latest');
  await ok(a, ['restore', '-q', 'latest', latest]);
  assert.deepEqual(await hashesUnder(latest), await hashesUnder(src));

  // An older keys.json put back (it still lists the removed key): this machine saw a newer one.
  await putObject(repo, 'keys.json', keysBefore);
  const rolledBack = await a.run(['snapshots']);
  assert.equal(rolledBack.code, 1, rolledBack.stderr);
  assert.match(rolledBack.stderr, /^dedupfs: keyring s3:\S+\/keys\.json has been rolled back: its newest key generation is 1, this machine has seen generation 3\n/);
});

test('encrypted bucket keys: two hosts adding keys at once both land; key add and rotate killed at random moments leave the old or the new key set', { skip: skipS3, timeout: 600_000 }, async (t) => {
  const dir = await tempDir(t);
  const repo = await bucketRepo(t);
  const a = await keyHost(t, repo, 'main');
  const b = await keyHost(t, repo, 'main');
  await ok(a, ['init', '-q']);
  const pass = async (name: string) => {
    await writeFile(join(dir, name), `${name}\n`);
    return join(dir, name);
  };
  const list = async () => JSON.parse((await ok(a, ['key', 'list', '--json'])).stdout).map((k: { id: string }) => k.id).sort() as string[];

  // Two hosts (two caches) at once: the second waits for the first's lock, then reads its keyring.
  const [x, y] = await Promise.all([
    ok(a, ['key', 'add', '--json', '--lock-wait', '2min', '--new-password-file', await pass('host-a')]),
    ok(b, ['key', 'add', '--json', '--lock-wait', '2min', '--new-password-file', await pass('host-b')]),
  ]);
  const added = [JSON.parse(x.stdout).key, JSON.parse(y.stdout).key] as string[];
  const listed = await list();
  assert.equal(listed.length, 3);
  assert.ok(added.every((id) => listed.includes(id)), 'neither key add undid the other');
  for (const name of ['host-a', 'host-b']) await ok(await keyHost(t, repo, name), ['snapshots', '-q']);

  const env = { DEDUPFS_REPO: repo, XDG_CACHE_HOME: a.cache, DEDUPFS_PASSWORD_FILE: a.passwordFile, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const started = Date.now();
  await ok(a, ['key', 'rotate']);
  const span = Date.now() - started;
  const opens = async (name: string) => (await (await keyHost(t, repo, name)).run(['snapshots', '-q'])).code === 0;
  let finished = 0;
  for (let round = 0; round < 3; round++) {
    const before = await list();
    if (await runAndKill(['key', 'add', '--new-password-file', await pass(`new-${round}`)], env, Math.floor(Math.random() * span * 1.2))) finished++;
    const after = await list();
    assert.ok(after.length === before.length || after.length === before.length + 1, `add: ${before} -> ${after}`);
    assert.ok(before.every((id) => after.includes(id)), 'add lost a key');
    assert.ok(await opens('main'), 'add: the full key no longer opens');
    if (after.length > before.length) assert.ok(await opens(`new-${round}`), 'add: a listed new key does not open');
    // A killed command's lock object stays until it is stale (10 min) or removed by hand.
    await ok(a, ['unlock', '--all', '-q']);

    const generation = async () => (await objectsOf(repo)).get('keys.json')!.toString();
    const ring = await generation();
    if (await runAndKill(['key', 'rotate'], env, Math.floor(Math.random() * span * 1.2))) finished++;
    assert.deepEqual(await list(), after, 'rotate changed the key list');
    assert.ok(await opens('main'), 'rotate: the full key no longer opens');
    assert.ok(await opens('host-b'), 'rotate: another key no longer opens');
    if (await generation() !== ring) assert.ok(await opens('host-a'));
    await ok(a, ['unlock', '--all', '-q']);
  }
  t.diagnostic(`${finished} of 6 key commands finished before their kill`);
});
