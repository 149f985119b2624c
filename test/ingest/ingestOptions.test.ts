// ingest's ways of choosing what to store: standard input as one file (--stdin), paths read
// from a file (--files-from, --files-from0), folders marked as caches or by a named file
// (--exclude-caches, --exclude-if-present), and the list of files stored (--verbose).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempRepoPath } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SIGNATURE = 'Signature: 8a477f597d28d172789f06886806bc55';

async function lsLatest(repo: string): Promise<string[]> {
  const ls = await runCli(['ls', '-R', 'latest'], { repo });
  assert.equal(ls.code, 0, ls.stderr);
  return ls.stdout.trim().split('\n').sort();
}

test('--stdin stores standard input as one file named by --stdin-name', async (t) => {
  const repo = await tempRepoPath(t);
  const dump = randomBytes(3 << 20);
  const r = await runCli(['ingest', '--init', '--json', '--stdin', '--stdin-name', 'db.sql', '--tag', 'db'], { repo, input: dump });
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual([s.paths, s.tags, s.files, s.bytes], [['/db.sql'], ['db'], 1, dump.length]);
  const cat = await runCli(['cat', 'latest:db.sql'], { repo });
  assert.equal(cat.code, 0, cat.stderr);
  assert.equal(sha(cat.stdoutBytes), sha(dump));

  const again = await runCli(['ingest', '--init', '--json', '--stdin', '--stdin-name', 'db.sql'], { repo, input: dump });
  assert.equal(JSON.parse(again.stdout).added.blocks, 1, 'the same dump again adds only its root tree');

  const empty = await runCli(['ingest', '--init', '--json', '--stdin'], { repo, input: '' });
  assert.equal(empty.code, 0, empty.stderr);
  assert.deepEqual(JSON.parse(empty.stdout).paths, ['/stdin']);

  const src = await tempDir(t);
  assert.equal((await runCli(['ingest', '--init', '--stdin', src], { repo, input: 'x' })).code, 2, '--stdin with a PATH');
  assert.equal((await runCli(['ingest', '--init', '--stdin', '--stdin-name', 'a/b'], { repo, input: 'x' })).code, 2, 'a name with a slash');
});

test('--files-from and --files-from0 read the paths to store from files', async (t) => {
  const repo = await tempRepoPath(t);
  const src = await tempDir(t);
  for (const name of ['a', 'b', 'c', 'new\nline']) await writeFile(join(src, name), name);
  const list = join(src, 'list');
  await writeFile(list, `# the paths to store\n${join(src, 'a')}\n\n${join(src, 'b')}\r\n`);
  const list0 = join(src, 'list0');
  await writeFile(list0, `${join(src, 'new\nline')}\0`);
  const r = await runCli(['ingest', '--init', join(src, 'c'), '--files-from', list, '--files-from0', list0], { repo });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await lsLatest(repo), ['a', 'b', 'c', 'new\\x0aline']);

  await writeFile(list, join(src, 'missing'));
  const missing = await runCli(['ingest', '--init', '--files-from', list], { repo });
  assert.equal(missing.code, 1, 'a listed path that does not exist is an error before anything is written');
  const noList = await runCli(['ingest', '--init', '--files-from', join(src, 'nope')], { repo });
  assert.equal(noList.code, 1);
  assert.match(noList.stderr, /cannot read path list .*nope/);
});

test('--exclude-caches and --exclude-if-present store a marked folder with its marker only', async (t) => {
  const repo = await tempRepoPath(t);
  const src = await tempDir(t);
  for (const d of ['cache', 'fake-cache', 'private', 'plain']) await mkdir(join(src, d));
  await writeFile(join(src, 'cache', 'CACHEDIR.TAG'), `${SIGNATURE}\n# This file is a cache directory tag.\n`);
  await writeFile(join(src, 'cache', 'blob'), 'cached');
  await writeFile(join(src, 'fake-cache', 'CACHEDIR.TAG'), 'no signature here\n');
  await writeFile(join(src, 'fake-cache', 'kept'), 'kept');
  await writeFile(join(src, 'private', '.nobackup'), '');
  await writeFile(join(src, 'private', 'secret'), 'secret');
  await writeFile(join(src, 'plain', 'file'), 'file');
  const r = await runCli(['ingest', '--init', src, '--exclude-caches', '--exclude-if-present', '.nobackup'], { repo });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await lsLatest(repo), [
    'cache', 'cache/CACHEDIR.TAG', 'fake-cache', 'fake-cache/CACHEDIR.TAG', 'fake-cache/kept',
    'plain', 'plain/file', 'private', 'private/.nobackup',
  ]);
  const all = await runCli(['ingest', '--init', src], { repo });
  assert.equal(all.code, 0, all.stderr);
  assert.ok((await lsLatest(repo)).includes('cache/blob'), 'without the options, everything is stored');
});

test('--verbose lists each new or changed file, on stderr or as JSON lines', async (t) => {
  const repo = await tempRepoPath(t);
  const src = await tempDir(t);
  await writeFile(join(src, 'one'), '1');
  await writeFile(join(src, 'two'), '2');
  const first = await runCli(['ingest', '--init', src, '--verbose'], { repo });
  assert.equal(first.code, 0, first.stderr);
  const listed = first.stderr.split('\n').filter((l) => /^(new|changed) /.test(l)).sort();
  assert.deepEqual(listed, [`new     ${join(src, 'one')}`, `new     ${join(src, 'two')}`]);

  await writeFile(join(src, 'two'), '22');
  await writeFile(join(src, 'three'), '3');
  const second = await runCli(['ingest', '--init', src, '--verbose', '--json'], { repo });
  assert.equal(second.code, 0, second.stderr);
  const lines = second.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.at(-1).type, 'summary');
  assert.deepEqual(lines.slice(0, -1).sort((a, b) => a.path.localeCompare(b.path)), [
    { type: 'file', path: join(src, 'three'), status: 'new', size: 1 },
    { type: 'file', path: join(src, 'two'), status: 'changed', size: 2 },
  ]);
  const quiet = await runCli(['ingest', '--init', src, '--json'], { repo });
  assert.equal(quiet.stdout.trim().split('\n').length, 1, 'without --verbose, only the summary');
});
