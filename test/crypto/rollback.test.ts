// An older keys.json put back (it still lists a key revoked since) is refused, in one line, by
// every command of a machine that has seen the newer one, including a key rotation that would
// otherwise grant the revoked key the new generation; the keyring is left as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

test('a rolled-back keys.json is refused on a machine that has seen the newer one', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  for (const name of ['main', 'revoked']) await writeFile(join(dir, `${name}.pass`), `${name}\n`);
  const env = (password: string, cache = 'cache') => ({ DEDUPFS_REPO: repo, XDG_CACHE_HOME: join(dir, cache), DEDUPFS_PASSWORD_FILE: join(dir, `${password}.pass`), DEDUPFS_PASSWORD_COMMAND: undefined });
  const cli = (args: string[], password = 'main', cache = 'cache') => runCli(args, { env: env(password, cache) });

  assert.equal((await cli(['init', '--encryption'])).code, 0);
  const added = await cli(['key', 'add', '--new-password-file', join(dir, 'revoked.pass'), '--json']);
  assert.equal(added.code, 0, added.stderr);
  const revoked = JSON.parse(added.stdout).key as string;
  await copyFile(join(repo, 'keys.json'), join(dir, 'old-keys.json'));
  const removed = await cli(['key', 'remove', revoked, '--rotate']);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal((await cli(['snapshots', '-q'], 'revoked')).code, 12);
  await copyFile(join(repo, 'keys.json'), join(dir, 'new-keys.json'));

  // The revoked holder puts the old keyring back.
  await copyFile(join(dir, 'old-keys.json'), join(repo, 'keys.json'));
  const mtime = (await stat(join(repo, 'keys.json'))).mtimeMs;
  for (const [args, password] of [[['snapshots'], 'main'], [['snapshots'], 'revoked'], [['key', 'rotate'], 'main'], [['key', 'add', '--new-password-file', join(dir, 'main.pass')], 'main'], [['key', 'passwd', '--new-password-file', join(dir, 'main.pass')], 'revoked']] as const) {
    const r = await cli([...args], password);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^dedupfs: keyring \S+keys\.json has been rolled back: its newest key generation is 1, this machine has seen generation 2\n {2}someone put back an older keys\.json.*\n$/);
  }
  assert.equal((await stat(join(repo, 'keys.json'))).mtimeMs, mtime, 'nothing written');
  assert.deepEqual(await readFile(join(repo, 'keys.json')), await readFile(join(dir, 'old-keys.json')));

  // A machine that never saw the newer keyring cannot tell (what the local record is for).
  assert.equal((await cli(['snapshots', '-q'], 'main', 'other-machine')).code, 0);
  // The newest keyring put back: all is well again, and the revoked key still opens nothing.
  await copyFile(join(dir, 'new-keys.json'), join(repo, 'keys.json'));
  assert.equal((await cli(['snapshots', '-q'])).code, 0);
  assert.equal((await cli(['snapshots', '-q'], 'revoked')).code, 12);
  const seen = await stat(join(dir, 'cache', 'dedupfs', JSON.parse(await readFile(join(repo, 'config.json'), 'utf8')).id, 'keyring-seen.json'));
  assert.equal(seen.mode & 0o077, 0, 'owner-only');
});
