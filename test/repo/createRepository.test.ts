// A repository is never created by accident: a first ingest creates only the default
// ~/.dedupfs; one named by --repo or DEDUPFS_REPO that does not exist (a typo, a disk that is
// not mounted) is exit 10 unless `ingest --init` or `init` asks for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

async function source(dir: string): Promise<string> {
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'a.txt'), 'a\n');
  return src;
}

test('ingest into a named repository that does not exist is exit 10 and creates nothing', async (t) => {
  const dir = await tempDir(t);
  const src = await source(dir);
  const typo = join(dir, 'backup-repoo');
  for (const how of [{ args: ['--repo', typo] }, { env: { DEDUPFS_REPO: typo } }]) {
    const r = await runCli(['ingest', '-q', ...(how.args ?? []), src], { env: { HOME: dir, ...how.env } });
    assert.equal(r.code, 10, r.stderr);
    assert.match(r.stderr, new RegExp(`^dedupfs: repository ${typo} does not exist\\n.*dedupfs init --repo ${typo}`));
    await assert.rejects(stat(typo), 'nothing was created');
    await assert.rejects(stat(join(dir, '.dedupfs')), 'nor the default repository');
  }
});

test('ingest --init creates a named repository; a first ingest creates the default one', async (t) => {
  const dir = await tempDir(t);
  const src = await source(dir);
  const named = join(dir, 'named');
  const made = await runCli(['ingest', '--init', src], { repo: named });
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stderr, /created repository/);
  assert.ok((await readdir(join(named, 'snapshots'))).length === 1);

  const env = { HOME: dir, DEDUPFS_REPO: '' };
  const first = await runCli(['ingest', src], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, new RegExp(`created repository ${join(dir, '.dedupfs')}`));
  assert.equal((await readdir(join(dir, '.dedupfs', 'snapshots'))).length, 1);
});

test('init on an existing repository says it is one and changes nothing', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const config = await stat(join(repo, 'config.json'));
  const again = await runCli(['init'], { repo });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^dedupfs: .*repo is already a dedupfs repository\n/);
  assert.doesNotMatch(again.stderr, /not empty/);
  assert.equal((await stat(join(repo, 'config.json'))).mtimeMs, config.mtimeMs);
});
