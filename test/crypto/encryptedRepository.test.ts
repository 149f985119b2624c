// An encrypted repository end to end, through the real CLI on real folders: what is restored
// is what was ingested, byte for byte; no file of the repository holds a 32-byte run of a
// source file or a file name; a wrong password exits 12 and writes nothing; a plain repository
// is still format 1 and works as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { plaintextFound, sourceTree } from './plaintext.js';

/** Every file under `dir`, with its bytes. */
async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.set(join(e.parentPath, e.name), await readFile(join(e.parentPath, e.name)));
  }
  return out;
}

async function hashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [path, bytes] of await filesUnder(dir)) out.set(path.slice(dir.length), createHash('sha256').update(bytes).digest('hex'));
  return out;
}

/** What the repository folder holds: each file's size, time and hash (to show nothing was written). */
async function stateOf(dir: string): Promise<string[]> {
  const rows: string[] = [];
  for (const [path, bytes] of await filesUnder(dir)) {
    const st = await stat(path);
    rows.push(`${path} ${st.size} ${st.mtimeMs} ${createHash('sha256').update(bytes).digest('hex')}`);
  }
  return rows.sort();
}

/** The runs and names found in some file of `repo`. */
async function plaintextIn(repo: string, names: string[], runs: Buffer[]): Promise<string[]> {
  return plaintextFound(await filesUnder(repo), names, runs);
}

function setup(dir: string) {
  const env = { XDG_CACHE_HOME: join(dir, 'cache'), DEDUPFS_PASSWORD_FILE: join(dir, 'main.pass'), DEDUPFS_PASSWORD_COMMAND: undefined };
  const cli = (repo: string, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { repo, env: { ...env, ...extra } });
  return { env, cli };
}

test('encrypted repository: ingest and restore byte for byte; no plaintext and no file name in any repository file; a plain one shows the plaintext', async (t) => {
  const dir = await tempDir(t);
  const { cli } = setup(dir);
  await writeFile(join(dir, 'main.pass'), 'correct horse battery staple\n');
  // a name long enough not to turn up by chance in megabytes of ciphertext ('src' did, 1 run in ~10)
  const src = join(dir, 'source-of-the-secret-tree');
  const { names, runs } = await sourceTree(src);

  const sealed = join(dir, 'sealed');
  const init = await cli(sealed, ['init', '--encryption']);
  assert.equal(init.code, 0, init.stderr);
  assert.equal(JSON.parse(await readFile(join(sealed, 'config.json'), 'utf8')).format, 4);
  for (let i = 0; i < 2; i++) {
    const r = await cli(sealed, ['ingest', src]);
    assert.equal(r.code, 0, r.stderr);
  }
  const restored = join(dir, 'restored');
  const r = await cli(sealed, ['restore', 'latest', restored]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await hashes(restored), await hashes(src));
  const cat = await cli(sealed, ['cat', `latest:${join(src, names[1])}`]);
  assert.equal(cat.stdout, await readFile(join(src, names[1]), 'utf8'));
  const check = await cli(sealed, ['check', '--read-data']);
  assert.equal(check.code, 0, check.stdout + check.stderr);

  assert.deepEqual(await plaintextIn(sealed, [...names, 'source-of-the-secret-tree'], runs), []);

  // The same tree in a plain repository: the same search finds it (so the search can fail).
  const plain = join(dir, 'plain');
  const plainInit = await cli(plain, ['init', '--encryption', 'none']);
  assert.match(plainInit.stderr, /is not encrypted: anyone who can read its files can read the backups/);
  assert.equal(JSON.parse(await readFile(join(plain, 'config.json'), 'utf8')).format, 1);
  assert.equal((await cli(plain, ['ingest', src])).code, 0);
  const found = await plaintextIn(plain, names, runs);
  assert.ok(found.some((f) => f.includes('32-byte run')), found.join('\n'));
  const plainRestore = join(dir, 'plain-restored');
  assert.equal((await cli(plain, ['restore', 'latest', plainRestore])).code, 0);
  assert.deepEqual(await hashes(plainRestore), await hashes(src));
});

test('encrypted repository: a wrong password exits 12 and writes nothing; a failing password command is one line', async (t) => {
  const dir = await tempDir(t);
  const { cli } = setup(dir);
  await writeFile(join(dir, 'main.pass'), 'right\n');
  await writeFile(join(dir, 'wrong.pass'), 'wrong\n');
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'a.txt'), 'a file\n');
  const repo = join(dir, 'repo');
  assert.equal((await cli(repo, ['init', '--encryption'])).code, 0);
  assert.equal((await cli(repo, ['ingest', src])).code, 0);
  const before = await stateOf(repo);
  for (const args of [['ingest', src], ['snapshots'], ['restore', 'latest', join(dir, 'out')], ['check'], ['gc'], ['key', 'add', '--new-password-file', join(dir, 'wrong.pass')]]) {
    const r = await cli(repo, args, { DEDUPFS_PASSWORD_FILE: join(dir, 'wrong.pass') });
    assert.equal(r.code, 12, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /^dedupfs: wrong password: no key of the repository opens with it\n {2}\S.*\n$/);
    assert.doesNotMatch(r.stderr, /at .*\.js/);
  }
  const viaOption = await cli(repo, ['snapshots', '--password-file', join(dir, 'wrong.pass')]);
  assert.equal(viaOption.code, 12);
  const failing = await cli(repo, ['snapshots'], { DEDUPFS_PASSWORD_FILE: undefined, DEDUPFS_PASSWORD_COMMAND: 'echo no vault here >&2; exit 3' });
  assert.equal(failing.code, 1);
  assert.match(failing.stderr, /^dedupfs: password command .* failed: no vault here\n/);
  const never = await cli(repo, ['snapshots'], { DEDUPFS_PASSWORD_FILE: undefined, DEDUPFS_PASSWORD_PROMPT: 'never' });
  assert.equal(never.code, 1);
  assert.match(never.stderr, /^dedupfs: no password: .*DEDUPFS_PASSWORD_PROMPT=never forbids asking\n {2}\S.*\n$/);
  const noFile = await cli(repo, ['snapshots', '--password-file', join(dir, 'missing.pass')]);
  assert.equal(noFile.code, 1);
  assert.match(noFile.stderr, /missing\.pass/);
  assert.deepEqual(await stateOf(repo), before);
  assert.equal((await cli(repo, ['snapshots', '--password-command', `cat ${join(dir, 'main.pass')}`], { DEDUPFS_PASSWORD_FILE: undefined })).code, 0);
});

test('keys: add, passwd and remove round trips; the last full key cannot be removed', async (t) => {
  const dir = await tempDir(t);
  const { cli } = setup(dir);
  const pass = (name: string) => join(dir, `${name}.pass`);
  for (const name of ['main', 'second', 'third']) await writeFile(pass(name), `${name} password\n`);
  const repo = join(dir, 'repo');
  assert.equal((await cli(repo, ['init', '--encryption'])).code, 0);
  const opens = async (name: string) => (await cli(repo, ['snapshots', '-q'], { DEDUPFS_PASSWORD_FILE: pass(name) })).code;

  const added = await cli(repo, ['key', 'add', '--new-password-file', pass('second'), '--json']);
  assert.equal(added.code, 0, added.stderr);
  const second = JSON.parse(added.stdout).key as string;
  assert.equal(await opens('second'), 0);
  const list = JSON.parse((await cli(repo, ['key', 'list', '--json'])).stdout) as Array<{ id: string; kind: string }>;
  assert.deepEqual(list.map((k) => k.kind), ['full', 'full']);
  assert.equal(list[1].id, second);

  const passwd = await cli(repo, ['key', 'passwd', '--new-password-file', pass('third')], { DEDUPFS_PASSWORD_FILE: pass('second') });
  assert.equal(passwd.code, 0, passwd.stderr);
  assert.match(passwd.stdout, new RegExp(`changed the password of key ${second}`));
  assert.equal(await opens('second'), 12);
  assert.equal(await opens('third'), 0);
  assert.equal(await opens('main'), 0);

  const removed = await cli(repo, ['key', 'remove', second]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(await opens('third'), 12);
  const first = list[0].id;
  const keyring = await readFile(join(repo, 'keys.json'));
  const last = await cli(repo, ['key', 'remove', first]);
  assert.equal(last.code, 1);
  assert.match(last.stderr, /^dedupfs: key \S+ is the last full key/);
  assert.deepEqual(await readFile(join(repo, 'keys.json')), keyring);
  assert.equal(await opens('main'), 0);

  const plain = join(dir, 'plain');
  assert.equal((await cli(plain, ['init', '-q'])).code, 0);
  const noKeys = await cli(plain, ['key', 'list']);
  assert.equal(noKeys.code, 2);
  assert.match(noKeys.stderr, /is not encrypted: it has no keys/);
});

test("a write-only key ingests (deduplicated; unchanged files skipped from the host's own record) and lists snapshots, and reads nothing back; the full key restores its snapshots", async (t) => {
  const dir = await tempDir(t);
  const { cli } = setup(dir);
  await writeFile(join(dir, 'main.pass'), 'full\n');
  await writeFile(join(dir, 'cron.pass'), 'cron\n');
  const cron = { DEDUPFS_PASSWORD_FILE: join(dir, 'cron.pass') };
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'data.bin'), randomBytes(300_000));
  await mkdir(join(src, 'sub'));
  await writeFile(join(src, 'sub', 'inner.txt'), 'a file in a folder that does not change\n');
  const repo = join(dir, 'repo');
  assert.equal((await cli(repo, ['init', '--encryption'])).code, 0);
  assert.equal((await cli(repo, ['key', 'add', '--write-only', '--new-password-file', join(dir, 'cron.pass')])).code, 0);

  // --verbose --json: a {"type":"file"} line for each file read and stored, then the summary.
  const ingest = async () => {
    const r = await cli(repo, ['ingest', '--json', '--verbose', src], cron);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    return { read: lines.filter((l) => l.type === 'file').map((l) => l.path.slice(src.length)), summary: lines.at(-1) };
  };
  const first = await ingest();
  assert.deepEqual(first.read.sort(), ['/data.bin', '/sub/inner.txt']);
  assert.ok(first.summary.added.blocks > 1);
  await writeFile(join(src, 'more.txt'), 'one more file\n');
  const second = await ingest();
  assert.deepEqual(second.read, ['/more.txt'], 'the rest is unchanged: the host skips it from its own record of what it stored');
  assert.equal(second.summary.added.blocks, 2, 'the new file and the new root tree');
  assert.equal(second.summary.parent, first.summary.id);
  const cacheDir = join(dir, 'cache', 'dedupfs', JSON.parse(await readFile(join(repo, 'config.json'), 'utf8')).id);
  const own = (await readdir(cacheDir)).filter((n) => n.startsWith('trees-'));
  assert.equal(own.length, 1);
  assert.equal((await stat(join(cacheDir, own[0]))).mode & 0o077, 0, 'owner-only');
  // Without that record (a new machine, a cleared cache) every file is read again, and still only new blocks stored.
  await rm(join(cacheDir, own[0]));
  const again = await ingest();
  assert.deepEqual(again.read.sort(), ['/data.bin', '/more.txt', '/sub/inner.txt']);
  assert.ok(again.summary.added.rawBytes < 4096, 'nothing but trees is new (atimes changed by the reading)');
  // Twice: the record written by a run that kept every folder of its parent serves the next one.
  for (let i = 0; i < 2; i++) assert.equal((await ingest()).read.length, 0);
  await writeFile(join(src, 'more.txt'), 'changed\n');
  assert.deepEqual((await ingest()).read, ['/more.txt'], 'sub/ was kept from the parent, and is still known');
  assert.deepEqual((await ingest()).read, []);

  // The cron host's catalog holds what it wrote; built again from the repository, only ids and times.
  const listed = JSON.parse((await cli(repo, ['snapshots', '--json'], cron)).stdout) as Array<{ id: string; time: string; paths: string[] }>;
  assert.equal(listed.length, 7);
  await rm(join(dir, 'cache'), { recursive: true });
  const rebuilt = JSON.parse((await cli(repo, ['snapshots', '--json'], cron)).stdout) as Array<{ id: string; time: string; paths: string[] }>;
  assert.deepEqual(rebuilt.map((s) => [s.id, s.time]), listed.map((s) => [s.id, s.time]));
  assert.ok(rebuilt.every((s) => s.paths.length === 0));

  for (const args of [['restore', 'latest', join(dir, 'out')], ['cat', `latest:${join(src, 'more.txt')}`], ['ls', 'latest'], ['diff', 'latest~1', 'latest'], ['mount', join(dir, 'mnt')], ['check'], ['forget', '--keep-last', '1']]) {
    const r = await cli(repo, args, cron);
    assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^dedupfs: a write-only key cannot ${args[0]}: it opens no stored block and no snapshot content\n {2}\\S.*\n$`));
  }

  const full = JSON.parse((await cli(repo, ['snapshots', '--json'])).stdout) as Array<{ id: string; paths: string[] }>;
  assert.deepEqual(full.map((s) => s.paths), Array(7).fill([src]));
  for (const [i, snap] of [full[0], full[full.length - 1]].entries()) {
    const out = join(dir, `restored-${i}`);
    const r = await cli(repo, ['restore', snap.id, out]);
    assert.equal(r.code, 0, r.stderr);
    const want = await hashes(src);
    if (i === 0) want.delete('/more.txt');
    assert.deepEqual(await hashes(out), want);
  }
});

test('encrypted repository: a changed byte in a pack and a snapshot record under another id are damage; repair quarantines the record', async (t) => {
  const dir = await tempDir(t);
  const { cli } = setup(dir);
  await writeFile(join(dir, 'main.pass'), 'pw\n');
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'data.bin'), randomBytes(200_000));
  const repo = join(dir, 'repo');
  assert.equal((await cli(repo, ['init', '--encryption'])).code, 0);
  assert.equal((await cli(repo, ['ingest', src])).code, 0);
  const packs = [...(await filesUnder(join(repo, 'packs'))).keys()].filter((p) => p.endsWith('.pack'));
  assert.equal(packs.length, 1);
  const pack = await readFile(packs[0]);
  pack[pack.length >> 1] ^= 0x40; // inside some block's sealed bytes
  await writeFile(packs[0], pack);
  const check = await cli(repo, ['check', '--read-data']);
  assert.equal(check.code, 1, check.stdout);
  assert.match(check.stdout + check.stderr, /do not authenticate/);
  const restore = await cli(repo, ['restore', 'latest', join(dir, 'out')]);
  assert.notEqual(restore.code, 0);

  // A snapshot record put back under another id does not open.
  const [file] = (await readdir(join(repo, 'snapshots'))).filter((n) => n.endsWith('.json'));
  await rename(join(repo, 'snapshots', file), join(repo, 'snapshots', `${'ab'.repeat(32)}.json`));
  const listed = await cli(repo, ['snapshots']);
  assert.equal(listed.code, 1);
  assert.match(listed.stderr, /is damaged: .*do(es)? not authenticate/);
  const repaired = await cli(repo, ['repair']);
  assert.equal(repaired.code, 0, repaired.stderr);
  assert.match(repaired.stdout, /quarantined .*\.json\.damaged: .*do(es)? not authenticate/);
  assert.equal((await cli(repo, ['snapshots', '-q'])).code, 0);
});
