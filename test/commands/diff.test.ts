// dedupfs diff: every kind of change between two real snapshots, as text and as JSON, and the
// promise that folders whose tree did not change are never read.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diffSnapshots } from '../../src/diff/diffSnapshots.js';
import { ingest } from '../../src/ingest/ingest.js';
import type { Address } from '../../src/core/address.js';
import { EXIT } from '../../src/ui/exitCodes.js';
import { runCli } from '../helpers/cli.js';
import { openTestRepo, tempRepoPath } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

const jsonLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

it('reports added, removed, content, metadata and type changes with sizes, and a summary', async (t) => {
  const src = await tempDir(t);
  const repo = await tempRepoPath(t);
  await mkdir(join(src, 'docs', 'old'), { recursive: true });
  await writeFile(join(src, 'docs', 'old', 'a.txt'), 'aaaa');
  await writeFile(join(src, 'grows.log'), 'x'.repeat(100));
  await writeFile(join(src, 'gone.bin'), 'g'.repeat(7));
  await writeFile(join(src, 'mode.sh'), 'echo\n');
  await writeFile(join(src, 'touched'), 'same');
  await writeFile(join(src, 'same.txt'), 'unchanged');
  const first = await runCli(['ingest', '--init', '-q', '--json', src], { repo });
  assert.equal(first.code, 0, first.stderr);

  await writeFile(join(src, 'grows.log'), 'x'.repeat(300));
  await rm(join(src, 'gone.bin'));
  await chmod(join(src, 'mode.sh'), 0o755);
  await utimes(join(src, 'touched'), new Date('2001-01-01'), new Date('2001-01-01'));
  await rm(join(src, 'docs', 'old'), { recursive: true });
  await writeFile(join(src, 'docs', 'old'), 'now a file');
  await mkdir(join(src, 'new'));
  await writeFile(join(src, 'new', 'n.txt'), 'nn');
  const second = await runCli(['ingest', '--init', '-q', src], { repo });
  assert.equal(second.code, 0, second.stderr);

  const json = await runCli(['diff', '--json', 'latest~1', 'latest'], { repo });
  assert.equal(json.code, 0, json.stderr);
  const lines = jsonLines(json.stdout);
  const summary = lines.pop()!;
  assert.deepEqual(lines.map((l) => [l.type, l.path, l.aspects ?? l.size]), [
    ['changed', '/docs/old', ['type']],
    ['removed', '/docs/old/a.txt', 4],
    ['removed', '/gone.bin', 7],
    ['changed', '/grows.log', ['content', 'metadata']],
    ['changed', '/mode.sh', ['metadata']],
    ['added', '/new', 0],
    ['added', '/new/n.txt', 2],
    ['changed', '/touched', ['metadata']],
  ]);
  assert.equal(lines[3].size_before, 100);
  assert.equal(lines[3].size_after, 300);
  assert.equal(lines[0].kind_before, 'dir');
  assert.equal(lines[0].kind, 'file');
  assert.equal(summary.type, 'summary');
  assert.deepEqual([summary.added, summary.removed, summary.changed, summary.content, summary.metadata, summary.type_changes],
    [2, 2, 4, 1, 3, 1]);
  // added: new/n.txt 2 + grows.log's new 300 + docs/old (a file now) 10; removed: a.txt 4 + gone.bin 7 + grows.log's old 100
  assert.equal(summary.bytes_added, 312);
  assert.equal(summary.bytes_removed, 111);

  const text = await runCli(['diff', 'latest~1', 'latest'], { repo });
  assert.equal(text.code, 0, text.stderr);
  assert.deepEqual(text.stdout.trim().split('\n').slice(0, -1), [
    'T /docs/old (- -> 10 B)', '- /docs/old/a.txt (4 B)', '- /gone.bin (7 B)', 'M /grows.log (100 B -> 300 B)',
    'U /mode.sh', '+ /new/', '+ /new/n.txt (2 B)', 'U /touched',
  ]);
  assert.match(text.stdout.trim().split('\n').at(-1)!, /: 2 added, 2 removed, 4 changed \(1 content, 3 metadata, 1 type\); 312 B added, 111 B removed$/);

  const quiet = await runCli(['diff', '-q', 'latest~1', 'latest'], { repo });
  assert.deepEqual([quiet.code, quiet.stderr, quiet.stdout], [0, '', text.stdout.split('\n').slice(0, -2).join('\n') + '\n']);

  // A path limits the diff to what is under it; a path in only one snapshot is added whole.
  const sub = jsonLines((await runCli(['diff', '--json', 'latest~1', 'latest', '/new'], { repo })).stdout);
  assert.deepEqual(sub.map((l) => [l.type, l.path]), [['added', '/new'], ['added', '/new/n.txt'], ['summary', undefined]]);
  const same = jsonLines((await runCli(['diff', '--json', 'latest', 'latest'], { repo })).stdout);
  assert.deepEqual(same.map((l) => l.type), ['summary']);

  const missing = await runCli(['diff', 'latest~1', 'latest', '/no/such'], { repo });
  assert.equal(missing.code, EXIT.ERROR);
  assert.match(missing.stderr, /\/no does not exist/);
  const badSnap = await runCli(['diff', 'latest~5', 'latest'], { repo });
  assert.equal(badSnap.code, EXIT.ERROR);
  assert.match(badSnap.stderr, /only 2 snapshots/);
});

it('reads only the trees on the path to a change, not the unchanged folders', async (t) => {
  const src = await tempDir(t);
  for (let i = 0; i < 60; i++) {
    await mkdir(join(src, `d${i}`, 'inner'), { recursive: true });
    await writeFile(join(src, `d${i}`, 'inner', 'f.txt'), `file ${i}`);
  }
  const repo = await openTestRepo(t, await tempRepoPath(t));
  // Trees record atimes, and the first ingest's reads move them (relatime): the second settles them.
  await ingest(repo, { paths: [src] });
  await ingest(repo, { paths: [src] });
  await writeFile(join(src, 'd17', 'inner', 'f.txt'), 'changed');
  await ingest(repo, { paths: [src] });

  const reads: Address[] = [];
  const store = { get: (addr: Address) => { reads.push(addr); return repo.store.get(addr); } };
  const diff = await diffSnapshots(repo, { before: 'latest~1', after: 'latest', store });
  const items = [];
  for await (const item of diff.items) items.push(item);
  assert.deepEqual(items.map((i) => [i.change, i.path.toString(), i.aspects]), [['changed', '/d17/inner/f.txt', ['content', 'metadata']]]);
  // Both sides of the root, /d17 and /d17/inner: six tree blocks of the 122 each snapshot has.
  assert.equal(reads.length, 6);
});
