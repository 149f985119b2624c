// The `dedupfs key` commands killed with SIGKILL at random moments, several rounds each, on a
// real encrypted repository with the real (default) scrypt: afterwards the repository opens with
// the old key set or the new one, never neither, and what it stores still restores. Also: under
// cron (no controlling terminal, stdin not a terminal, no password set) a command is one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI_PATH, runCli, runCommand } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { runAndKill } from './killCommand.js';

test('key add, remove, passwd and rotate killed at random moments: the repository opens with the old key set or the new one', async (t) => {
  const dir = await tempDir(t);
  const pass = (name: string) => join(dir, `${name}.pass`);
  for (const name of ['main', 'x', 'y', 'new']) await writeFile(pass(name), `${name} password\n`);
  const repo = join(dir, 'repo');
  const env = { DEDUPFS_REPO: repo, XDG_CACHE_HOME: join(dir, 'cache'), DEDUPFS_PASSWORD_FILE: pass('main'), DEDUPFS_PASSWORD_COMMAND: undefined };
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...env, ...extra } });
  const ids = async () => (JSON.parse((await cli(['key', 'list', '--json'])).stdout) as Array<{ id: string }>).map((k) => k.id).sort();
  const opens = async (name: string) => (await cli(['snapshots', '-q'], { DEDUPFS_PASSWORD_FILE: pass(name) })).code === 0;

  assert.equal((await cli(['init', '--encryption'])).code, 0);
  const src = join(dir, 'src');
  await mkdir(src);
  const data = randomBytes(200_000);
  await writeFile(join(src, 'data.bin'), data);
  assert.equal((await cli(['ingest', src])).code, 0);
  // A second full key whose password the passwd rounds change between x and y.
  assert.equal((await cli(['key', 'add', '--new-password-file', pass('x')])).code, 0);
  let otherPassword = 'x';

  // How long an operation takes when left alone: the kills land anywhere from its start to just after its end.
  const started = Date.now();
  assert.equal((await cli(['key', 'rotate'])).code, 0);
  const span = Date.now() - started;
  let rotations = 1;

  let finished = 0;
  for (let round = 0; round < 2; round++) {
    const at = () => Math.floor(Math.random() * span * 1.1);

    let before = await ids();
    if (await runAndKill(['key', 'add', '--write-only', '--new-password-file', pass('new')], env, at())) finished++;
    let after = await ids();
    assert.ok(after.length === before.length || after.length === before.length + 1, `add: ${before} -> ${after}`);
    assert.ok(before.every((id) => after.includes(id)), 'add lost a key');
    assert.ok(await opens('main'), 'add: the full key no longer opens');
    if (after.length > before.length) assert.ok(await opens('new'), 'add: a listed new key does not open');

    // Remove the key just added (one is added, not killed, when the kill came first).
    let removed = after.find((id) => !before.includes(id));
    if (removed === undefined) {
      const added = await cli(['key', 'add', '--write-only', '--new-password-file', pass('new'), '--json']);
      assert.equal(added.code, 0, added.stderr);
      removed = JSON.parse(added.stdout).key as string;
    }
    before = await ids();
    if (await runAndKill(['key', 'remove', removed], env, at())) finished++;
    after = await ids();
    assert.ok(after.join() === before.join() || after.join() === before.filter((id) => id !== removed).join(), `remove: ${before} -> ${after}`);
    assert.ok(await opens('main'), 'remove: the full key no longer opens');
    if (after.includes(removed)) assert.equal((await cli(['key', 'remove', removed])).code, 0);

    const next = otherPassword === 'x' ? 'y' : 'x';
    if (await runAndKill(['key', 'passwd', '--new-password-file', pass(next)], { ...env, DEDUPFS_PASSWORD_FILE: pass(otherPassword) }, at())) finished++;
    const [old, changed] = [await opens(otherPassword), await opens(next)];
    assert.ok(old !== changed, `passwd: the old password ${old ? 'opens' : 'does not open'}, the new one ${changed ? 'opens' : 'does not open'}`);
    if (changed) otherPassword = next;
    assert.ok(await opens('main'), 'passwd: the full key no longer opens');

    if (await runAndKill(['key', 'rotate'], env, at())) finished++;
    rotations++;
    assert.ok(await opens('main'), 'rotate: the full key no longer opens');
  }
  // No kill left the repository locked or its keyring half written: a key operation runs, and what was stored restores.
  const rotated = await cli(['key', 'rotate', '--json']);
  assert.equal(rotated.code, 0, rotated.stderr);
  const generation = JSON.parse(rotated.stdout).generation as number;
  assert.ok(generation >= 3 && generation <= rotations + 2, `generation ${generation} after ${rotations} rotations and one more`);
  assert.ok(finished < 8, 'some kills landed before the operation finished');
  const out = join(dir, 'out');
  const restored = await cli(['restore', 'latest', out]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.deepEqual(await readFile(join(out, 'data.bin')), data);
  assert.deepEqual((await readdir(repo)).filter((n) => n.includes('keys') && n !== 'keys.json'), [], 'no temporary keyring left beside keys.json');
});

test('under cron (no terminal, no password set) a command on an encrypted repository says so in one line and changes nothing', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  await writeFile(join(dir, 'main.pass'), 'pw\n');
  const base = { DEDUPFS_REPO: repo, XDG_CACHE_HOME: join(dir, 'cache'), DEDUPFS_PASSWORD_COMMAND: undefined };
  assert.equal((await runCli(['init', '--encryption'], { env: { ...base, DEDUPFS_PASSWORD_FILE: join(dir, 'main.pass') } })).code, 0);
  const before = (await stat(join(repo, 'keys.json'))).mtimeMs;
  // setsid: a new session with no controlling terminal, as cron runs its jobs; stdin is a pipe.
  const env = { ...process.env, ...base, DEDUPFS_PASSWORD_FILE: undefined };
  for (const args of [['ingest', dir], ['snapshots'], ['key', 'rotate']]) {
    const r = await runCommand('setsid', ['-w', process.execPath, CLI_PATH, ...args], { env });
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^dedupfs: no password: .*\n {2}give it with --password-file FILE, --password-command CMD, DEDUPFS_PASSWORD_FILE or DEDUPFS_PASSWORD_COMMAND\n$/);
  }
  assert.equal((await stat(join(repo, 'keys.json'))).mtimeMs, before);
  assert.deepEqual(await readdir(join(repo, 'snapshots')), []);
});
