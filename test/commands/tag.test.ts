// dedupfs tag: tags change, blocks do not; the snapshot gets a new id that remembers the old
// one; and a kill between writing the new record and removing the old one never shows the
// snapshot twice.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSnapshotFile, type Snapshot } from '../../src/catalog/snapshotRecord.js';
import { tagSnapshots } from '../../src/catalog/tagSnapshots.js';
import { acquireLock } from '../../src/repo/lock.js';
import { EXIT } from '../../src/ui/exitCodes.js';
import { runCli } from '../helpers/cli.js';
import { openTestRepo, tempRepoPath } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

const jsonLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
const listSnapshots = async (repo: string) => JSON.parse((await runCli(['snapshots', '--json'], { repo })).stdout) as Snapshot[];

/** The names of every file under the packs folder and the index, with their sizes. */
async function blockFiles(repo: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ['packs', 'index']) {
    for (const e of await readdir(join(repo, dir), { recursive: true, withFileTypes: true })) {
      if (e.isFile()) out.push(join(e.parentPath, e.name) + ':' + (await readFile(join(e.parentPath, e.name))).length);
    }
  }
  return out.sort();
}

it('adds, removes and sets tags under a new id, leaving every block alone', async (t) => {
  const src = await tempDir(t);
  const repo = await tempRepoPath(t);
  await writeFile(join(src, 'f'), 'data');
  assert.equal((await runCli(['ingest', '--init', '-q', src, '--tag', 'daily'], { repo })).code, 0);
  assert.equal((await runCli(['ingest', '--init', '-q', src, '--tag', 'daily'], { repo })).code, 0);
  const [older, newest] = await listSnapshots(repo);
  const blocks = await blockFiles(repo);

  const added = await runCli(['tag', 'latest', '--add', 'keep', '--add', 'db', '--json'], { repo });
  assert.equal(added.code, 0, added.stderr);
  const [line, summary] = jsonLines(added.stdout);
  assert.deepEqual({ ...line, id: undefined }, { type: 'snapshot', id: undefined, previous: newest.id, original: newest.id, tags: ['daily', 'keep', 'db'], changed: true });
  assert.notEqual(line.id, newest.id);
  assert.deepEqual(summary, { type: 'summary', changed: 1, unchanged: 0, cleaned: [] });
  const retagged = await readSnapshotFile(join(repo, 'snapshots'), line.id);
  assert.deepEqual(retagged, { ...newest, id: line.id, tags: ['daily', 'keep', 'db'], original: newest.id, replaces: newest.id });
  assert.deepEqual((await readdir(join(repo, 'snapshots'))).sort(), [`${older.id}.json`, `${line.id}.json`].sort());
  assert.deepEqual((await listSnapshots(repo)).map((s) => s.id), [older.id, line.id]);

  // Again: the id changes again, the original stays the first one; tags already there change nothing.
  const removed = jsonLines((await runCli(['tag', line.id.slice(0, 8), '--remove', 'daily', '--json'], { repo })).stdout)[0];
  assert.deepEqual([removed.original, removed.previous, removed.tags], [newest.id, line.id, ['keep', 'db']]);
  const same = await runCli(['tag', 'latest', older.id.slice(0, 6), '--add', 'keep', '--json'], { repo });
  const sameLines = jsonLines(same.stdout);
  assert.deepEqual(sameLines.map((l) => [l.type, l.changed]), [['snapshot', true], ['snapshot', false], ['summary', 1]]);
  assert.deepEqual(sameLines[1].tags, ['keep', 'db']);
  const cleared = await runCli(['tag', 'latest~1', '--set', ''], { repo });
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.match(cleared.stdout, /-> [0-9a-f]{8} {2}tags: \(none\)\n1 snapshot re-tagged, 0 unchanged\n$/);
  assert.equal((await runCli(['tag', '-q', 'latest', '--set', 'a', '--set', 'b'], { repo })).stdout, '');
  assert.deepEqual((await listSnapshots(repo)).map((s) => s.tags), [[], ['a', 'b']]);
  assert.equal((await readdir(join(repo, 'snapshots'))).length, 2);
  assert.deepEqual(await blockFiles(repo), blocks);

  for (const args of [['tag', 'latest'], ['tag', 'latest', '--set', 'x', '--add', 'y']]) {
    const r = await runCli(args, { repo });
    assert.equal(r.code, EXIT.USAGE, `${args.join(' ')}: ${r.stderr}`);
  }
  const before = await listSnapshots(repo);
  const unknown = await runCli(['tag', 'latest', 'abcdef12', '--add', 'z'], { repo });
  assert.equal(unknown.code, EXIT.ERROR);
  assert.match(unknown.stderr, /no snapshot matches 'abcdef12'/);
  assert.deepEqual(await listSnapshots(repo), before);

  const lock = await acquireLock(repo, { kind: 'exclusive', command: 'test' });
  t.after(() => lock.release());
  const locked = await runCli(['tag', 'latest', '--add', 'z'], { repo });
  assert.equal(locked.code, EXIT.LOCKED, locked.stderr);
});

it('lists a snapshot once when a kill left both its old and its new record', async (t) => {
  const src = await tempDir(t);
  const dir = await tempRepoPath(t);
  await writeFile(join(src, 'f'), 'data');
  assert.equal((await runCli(['ingest', '--init', '-q', src], { repo: dir })).code, 0);
  const [old] = await listSnapshots(dir);
  const oldFile = join(dir, 'snapshots', `${old.id}.json`);
  const oldBytes = await readFile(oldFile);

  let repo = await openTestRepo(t, dir);
  const { changed: [{ after }] } = await tagSnapshots(repo.catalog, repo.snapshotFiles, { snapshots: ['latest'], add: ['t'] });
  // The state a kill after the new record's rename leaves: both files, the catalog still naming the old one.
  await writeFile(oldFile, oldBytes);
  repo.catalog.insert(old);
  repo.catalog.remove(after.id);
  await repo.close();

  for (let open = 0; open < 2; open++) {
    repo = await openTestRepo(t, dir);
    assert.deepEqual(repo.catalog.list().map((s) => s.id), [after.id], `open ${open}`);
    await repo.close();
  }
  // repair's way: a catalog rebuilt from the files alone.
  assert.equal((await runCli(['repair', '-q'], { repo: dir })).code, 0);
  assert.deepEqual((await listSnapshots(dir)).map((s) => s.id), [after.id]);

  // The next tag deletes the stale twin's file.
  const next = jsonLines((await runCli(['tag', 'latest', '--add', 'u', '--json'], { repo: dir })).stdout);
  assert.deepEqual(next.at(-1)!.cleaned, [old.id]);
  assert.deepEqual(await readdir(join(dir, 'snapshots')), [`${next[0].id}.json`]);
});
