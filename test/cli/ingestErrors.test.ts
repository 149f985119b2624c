// Bad input to ingest and to the repository: one clear line, the right exit status, no stack
// trace, and nothing written or changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile, readdir, stat, chown } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, runCommand, CLI_PATH } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { buildSourceTree } from '../helpers/sourceTree.js';

function assertOneLineError(stderr: string) {
  assert.ok(stderr.startsWith('dedupfs: '), stderr);
  assert.ok(!/\n\s+at /.test(stderr), `no stack trace: ${stderr}`);
  assert.ok(stderr.trim().split('\n').length <= 2, `one line plus a hint: ${stderr}`);
}

test('a missing source is an error before anything is written', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  const r = await runCli(['ingest', '--init', join(dir, 'no-such-folder')], { repo });
  assert.equal(r.code, 1);
  assertOneLineError(r.stderr);
  assert.match(r.stderr, /no-such-folder/);
  await assert.rejects(stat(repo), 'no repository was created');
});

test('a file given as the repository is refused', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'afile'), 'not a repository');
  const r = await runCli(['ingest', '--init', dir], { repo: join(dir, 'afile') });
  assert.equal(r.code, 10);
  assertOneLineError(r.stderr);
  assert.equal(await readFile(join(dir, 'afile'), 'utf8'), 'not a repository');
});

test('a repository of a newer format is refused and left untouched', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'x'), 'x');
  assert.equal((await runCli(['ingest', '--init', '--quiet', src], { repo })).code, 0);
  const cfg = JSON.parse(await readFile(join(repo, 'config.json'), 'utf8'));
  cfg.format = 99;
  await writeFile(join(repo, 'config.json'), JSON.stringify(cfg));
  const before = await readdir(join(repo, 'snapshots'));
  const r = await runCli(['ingest', '--init', src], { repo });
  assert.equal(r.code, 1);
  assertOneLineError(r.stderr);
  assert.match(r.stderr, /format 99/);
  assert.deepEqual(await readdir(join(repo, 'snapshots')), before);
  assert.equal(JSON.parse(await readFile(join(repo, 'config.json'), 'utf8')).format, 99);
});

test('a folder that is not a repository is refused', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'something'), 'x');
  const r = await runCli(['snapshots'], { repo: dir });
  assert.equal(r.code, 10);
  assertOneLineError(r.stderr);
});

test('an unreadable file is a warning, the snapshot is partial, exit status 3', async (t) => {
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const src = join(dir, 'src');
  await mkdir(src, { mode: 0o755 });
  await writeFile(join(src, 'readable'), 'fine\n', { mode: 0o644 });
  await writeFile(join(src, 'secret'), 'no\n', { mode: 0o000 });
  await mkdir(join(src, 'closed'), { mode: 0o000 });
  const repo = join(dir, 'repo');
  await mkdir(repo, { mode: 0o700 });
  await chown(repo, 65534, 65534);
  const r = await runCommand('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI_PATH, 'ingest', '--init', '--json', src],
    { env: { ...process.env, DEDUPFS_REPO: repo, HOME: dir } });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /warning: .*secret/);
  assert.match(r.stderr, /warning: .*closed/);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.partial, true);
  assert.equal(summary.files, 1);
});

test('a fifo in the tree is kept as metadata and never opened', async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'src');
  await mkdir(src);
  await buildSourceTree(src, { fifo: true });
  const r = await runCli(['ingest', '--init', '--json', src], { repo: join(dir, 'repo') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).partial, false);
});

test('usage errors: unknown command, unknown option, bad value -> exit 2 and a pointer to --help', async () => {
  for (const args of [['frobnicate'], ['snapshots', '--bogus'], ['init', '--compression', 'lz4']]) {
    const r = await runCli(args, { repo: '/nonexistent/repo' });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /--help/);
    assert.ok(!/\n\s+at /.test(r.stderr));
  }
});

test('--help and --version', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  for (const cmd of ['ingest', 'snapshots', 'stats', 'init']) assert.match(help.stdout, new RegExp(`dedupfs ${cmd}`));
  const ingestHelp = await runCli(['ingest', '--help']);
  assert.match(ingestHelp.stdout, /--exclude/);
  const version = await runCli(['--version']);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
});

