// Start-up loads only what the command needs: `--version` and `--help` load no native addon,
// `snapshots` only SQLite's (the catalog), while a command that reads blocks loads LMDB, zstd
// and BLAKE3 (the control: it shows the check sees addons). Run through bin/dedupfs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const BIN = fileURLToPath(new URL('../../../bin/dedupfs', import.meta.url));
const REPORTER = fileURLToPath(new URL('../helpers/reportAddons.js', import.meta.url));

/** Runs dedupfs; returns its stdout and the file names of the addons it had mapped at exit. */
async function addonsOf(work: string, args: string[]): Promise<{ stdout: string; addons: string[] }> {
  const report = join(work, 'addons.txt');
  await writeFile(report, 'not written\n');
  const r = await runCommand(BIN, args, {
    env: { ...process.env, DEDUPFS_REPO: join(work, 'repo'), DEDUPFS_TEST_ADDONS: report, NODE_OPTIONS: `--import=${REPORTER}` },
  });
  assert.equal(r.code, 0, `dedupfs ${args.join(' ')}: ${r.stderr}`);
  const addons = (await readFile(report, 'utf8')).split('\n').filter(Boolean).map((p) => basename(p));
  return { stdout: r.stdout, addons: addons.sort() };
}

test('--version and --help load no native addon; snapshots loads only SQLite; cat loads the block store', async (t) => {
  const work = await tempDir(t);
  const version = await addonsOf(work, ['--version']);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  assert.deepEqual(version.addons, []);
  const help = await addonsOf(work, ['--help']);
  assert.match(help.stdout, /snapshots/);
  assert.deepEqual(help.addons, []);

  const src = join(work, 'src');
  await mkdir(src);
  await writeFile(join(src, 'a.txt'), 'start-up\n');
  await addonsOf(work, ['init', '-q']);
  await addonsOf(work, ['ingest', '--init', '-q', src]);
  const snapshots = await addonsOf(work, ['snapshots']);
  assert.match(snapshots.stdout, /1 snapshot/);
  assert.deepEqual(snapshots.addons, ['better_sqlite3.node']);
  const cat = await addonsOf(work, ['cat', 'latest:/a.txt']);
  assert.equal(cat.stdout, 'start-up\n');
  assert.ok(cat.addons.length >= 3 && cat.addons.includes('better_sqlite3.node'), `cat maps the block store's addons: ${cat.addons.join(', ')}`);
});
