// `dedupfs stats`: counts and ratios of the repository, and what only one snapshot holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

test('stats counts logical, unique and exclusive bytes', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo'), src = join(dir, 'src');
  await mkdir(src);
  const shared = randomBytes(200_000);
  await writeFile(join(src, 'a.bin'), shared);
  await writeFile(join(src, 'b.bin'), shared); // a duplicate: logical counts it, unique does not
  assert.equal((await runCli(['ingest', '--init', '-q', src], { repo })).code, 0);
  const only = randomBytes(100_000);
  await writeFile(join(src, 'new.bin'), only);
  assert.equal((await runCli(['ingest', '--init', '-q', src], { repo })).code, 0);

  const all = JSON.parse((await runCli(['stats', '--json'], { repo })).stdout);
  assert.equal(all.snapshots, 2);
  assert.equal(all.files, 2 + 3);
  assert.equal(all.logicalBytes, 400_000 + 500_000);
  assert.equal(all.uniqueBytes, 200_000 + 100_000);
  assert.equal(all.dedupRatio, 3);
  assert.ok(all.packs >= 1 && all.storedBytes > 300_000);

  const latest = JSON.parse((await runCli(['stats', '--json', 'latest'], { repo })).stdout);
  assert.equal(latest.logicalBytes, 500_000);
  // Only the latest holds new.bin's chunks and its root tree.
  assert.ok(latest.exclusive.rawBytes >= 100_000 && latest.exclusive.rawBytes < 100_000 + 4096, String(latest.exclusive.rawBytes));
});
