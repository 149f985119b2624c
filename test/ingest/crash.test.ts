// Crash safety: kill -9 an ingest at several moments; every earlier snapshot must still read
// back intact, the repository must open, and the next ingest must succeed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openRepository } from '../../src/repo/repository.js';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { verifySnapshotBlocks, tempRepoPath } from '../helpers/repo.js';
import { buildSourceTree, writeLargeRandomFile } from '../helpers/sourceTree.js';
import { tempDir } from '../helpers/tempDir.js';

function ingestKilledAfter(repo: string, src: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, 'ingest', '--quiet', src], { env: { ...process.env, DEDUPFS_REPO: repo }, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => { clearTimeout(timer); resolve(); });
  });
}

test('kill -9 of ingest at several points loses nothing and the next ingest succeeds', async (t) => {
  const repo = await tempRepoPath(t);
  const small = await tempDir(t);
  await buildSourceTree(small, { smallFiles: 200 });
  const first = await runCli(['ingest', '--init', small], { repo });
  assert.equal(first.code, 0, first.stderr);

  const big = await tempDir(t);
  await mkdir(join(big, 'data'));
  for (let i = 0; i < 4; i++) await writeLargeRandomFile(join(big, 'data', `part${i}.bin`), 48 << 20);
  await buildSourceTree(big, { smallFiles: 2000 });

  for (const ms of [150, 400, 800, 1500, 2500]) {
    await ingestKilledAfter(repo, big, ms);
    const r = await openRepository(repo, { lock: 'none', command: 'test' });
    try {
      const snaps = r.catalog.list();
      assert.ok(snaps.length >= 1, 'the first snapshot is still listed');
      for (const s of snaps) assert.ok(await verifySnapshotBlocks(r, s) > 0, `snapshot ${s.id} reads back`);
    } finally {
      await r.close();
    }
  }
  const last = await runCli(['ingest', '--init', '--json', big], { repo });
  assert.equal(last.code, 0, last.stderr);
  const summary = JSON.parse(last.stdout);
  assert.equal(summary.files, 2000 + 10 + 4); // small files, the 10 regular files of buildSourceTree, the parts
  const r = await openRepository(repo, { lock: 'none', command: 'test' });
  try {
    for (const s of r.catalog.list()) await verifySnapshotBlocks(r, s);
  } finally {
    await r.close();
  }
});
