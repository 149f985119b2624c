// dedupfs find: name and path patterns over real snapshots, the snapshot filters, JSON lines,
// and a folder shared by several snapshots read only once.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Address } from '../../src/core/address.js';
import { findInSnapshots } from '../../src/find/findInSnapshots.js';
import { ingest } from '../../src/ingest/ingest.js';
import { EXIT } from '../../src/ui/exitCodes.js';
import { runCli } from '../helpers/cli.js';
import { openTestRepo, tempRepoPath } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

const jsonLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

it('finds names and paths in every snapshot, filtered by snapshot, host and age', async (t) => {
  const src = await tempDir(t);
  const repo = await tempRepoPath(t);
  await mkdir(join(src, 'etc', 'nginx'), { recursive: true });
  await writeFile(join(src, 'etc', 'app.conf'), 'x'.repeat(42));
  await writeFile(join(src, 'etc', 'nginx', 'site.conf'), 'site');
  await writeFile(join(src, 'notes.txt'), 'n');
  assert.equal((await runCli(['ingest', '--init', '-q', src], { repo })).code, 0);
  await rm(join(src, 'etc', 'app.conf'));
  assert.equal((await runCli(['ingest', '--init', '-q', src], { repo })).code, 0);
  assert.equal((await runCli(['ingest', '--init', '-q', '--host', 'other', src], { repo })).code, 0);
  const ids = (JSON.parse((await runCli(['snapshots', '--json'], { repo })).stdout) as Array<{ id: string }>).map((s) => s.id);

  const all = await runCli(['find', '--json', '*.conf'], { repo });
  assert.equal(all.code, 0, all.stderr);
  const lines = jsonLines(all.stdout);
  assert.deepEqual(lines.slice(0, -1).map((l) => [ids.indexOf(l.snapshot), l.path, l.type, l.kind]), [
    [0, '/etc/app.conf', 'match', 'file'], [0, '/etc/nginx/site.conf', 'match', 'file'],
    [1, '/etc/nginx/site.conf', 'match', 'file'], [2, '/etc/nginx/site.conf', 'match', 'file'],
  ]);
  assert.equal(lines[0].size, 42);
  assert.match(lines[0].mtime, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(lines.at(-1), { type: 'summary', matches: 4, snapshots_matched: 3, snapshots: 3 });

  // A pattern with a slash is matched against the whole path: * stays in one folder, ** does not.
  const direct = jsonLines((await runCli(['find', '--json', '/etc/*.conf', '--snapshot', ids[0]], { repo })).stdout);
  assert.deepEqual(direct.slice(0, -1).map((l) => l.path), ['/etc/app.conf']);
  const deep = jsonLines((await runCli(['find', '--json', '/etc/**.conf', '--snapshot', ids[0]], { repo })).stdout);
  assert.deepEqual(deep.slice(0, -1).map((l) => l.path), ['/etc/app.conf', '/etc/nginx/site.conf']);
  // Folders match too; several patterns are any-of.
  const two = jsonLines((await runCli(['find', '--json', 'nginx', 'notes.*', '--snapshot', ids[1]], { repo })).stdout);
  assert.deepEqual(two.slice(0, -1).map((l) => [l.path, l.kind]), [['/etc/nginx', 'dir'], ['/notes.txt', 'file']]);

  const host = jsonLines((await runCli(['find', '--json', '--host', 'other', '*.conf'], { repo })).stdout);
  assert.deepEqual(host.slice(0, -1).map((l) => l.snapshot), [ids[2]]);
  const newest = jsonLines((await runCli(['find', '--json', '--newest', '2', 'app.conf'], { repo })).stdout);
  assert.deepEqual(newest, [{ type: 'summary', matches: 0, snapshots_matched: 0, snapshots: 2 }]);
  const picked = jsonLines((await runCli(['find', '--json', 'app.conf', '--snapshot', ids[1], '--snapshot', ids[0]], { repo })).stdout);
  assert.deepEqual(picked.at(-1), { type: 'summary', matches: 1, snapshots_matched: 1, snapshots: 2 });

  const text = await runCli(['find', 'site.conf', '--snapshot', 'latest'], { repo });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^${ids[2].slice(0, 8)}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +4 B  \\d{4}-\\S+ \\S+Z  /etc/nginx/site.conf\\n1 match in 1 of 1 snapshot\\n$`));
  assert.equal((await runCli(['find', '-q', 'site.conf', '--snapshot', 'latest'], { repo })).stdout.split('\n').length, 2);

  const bad = await runCli(['find', '--newest', '0', '*.conf'], { repo });
  assert.equal(bad.code, EXIT.USAGE);
  assert.match(bad.stderr, /--newest/);
  const unknown = await runCli(['find', '*.conf', '--snapshot', 'ffffffff'], { repo });
  assert.equal(unknown.code, EXIT.ERROR);
  assert.match(unknown.stderr, /no snapshot matches 'ffffffff'/);
});

it('reads a folder shared by several snapshots once', async (t) => {
  const src = await tempDir(t);
  for (let i = 0; i < 30; i++) {
    await mkdir(join(src, `d${i}`));
    await writeFile(join(src, `d${i}`, `f${i}.txt`), `file ${i}`);
  }
  const repo = await openTestRepo(t, await tempRepoPath(t));
  // Trees record atimes, and the first ingest's reads move them (relatime): the second settles them.
  await ingest(repo, { paths: [src] });
  await ingest(repo, { paths: [src] });
  await ingest(repo, { paths: [src] });
  await writeFile(join(src, 'd3', 'extra.txt'), 'new');
  await ingest(repo, { paths: [src] });

  const reads: Address[] = [];
  const store = { get: (addr: Address) => { reads.push(addr); return repo.store.get(addr); } };
  const found = await findInSnapshots(repo, { patterns: ['*.txt'], newest: 3, store });
  let matches = 0;
  for await (const m of found.matches) matches += m.path.toString().endsWith('.txt') ? 1 : 0;
  assert.equal(matches, 30 + 30 + 31);
  // One snapshot's 31 trees, the second snapshot is the same root, the third has a new root and a new d3.
  assert.equal(reads.length, 33);
});
