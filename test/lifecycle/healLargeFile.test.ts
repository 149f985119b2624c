// Ingest heals large files too: a file of more than 64 chunks names its chunks through list
// blocks, and a re-ingest that finds it unchanged used to ask only whether the list blocks are
// stored, so a lost chunk inside it never came back. check records the lost blocks in
// to-heal.json; the next ingest reads such a file again, and removes the list once healed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { flipBlockByte, locateBlocks } from '../helpers/damage.js';
import { tempDir } from '../helpers/tempDir.js';
import { assertRestoresIdentical, checkJson, ingestAt } from './fixtures.js';

for (const finder of ['check', 'repair']) {
  test(`a damaged chunk inside a large file, found by ${finder} --read-data, is stored again by the next ingest of the unchanged source`, async (t) => {
    const dir = await tempDir(t, 'dedupfs-heal-large-');
    const src = join(dir, 'src');
    await mkdir(src);
    await writeFile(join(src, 'big.bin'), randomBytes(10 * 1024 * 1024)); // ~160 chunks: list blocks
    await writeFile(join(src, 'small.txt'), 'small\n');
    const repo = join(dir, 'repo');
    const snap = await ingestAt(repo, src);
    const chunks = await locateBlocks(repo, snap.id, '/big.bin');
    assert.ok(chunks.length > 64, `big.bin has ${chunks.length} chunks, too few for list blocks`);
    await flipBlockByte(chunks[100]);

    const found = await runCli([finder, '--read-data'], { repo });
    assert.notEqual(found.code, 0, 'the damage is reported');
    assert.match(found.stderr, /hint: .*re-ingest/);
    assert.ok(existsSync(join(repo, 'to-heal.json')), `${finder} lists the block to heal`);

    const again = await runCli(['ingest', '--json', src], { repo });
    assert.equal(again.code, 0, again.stderr);
    assert.ok(JSON.parse(again.stdout).added.blocks >= 1, 'the lost chunk is stored again');
    assert.ok(!existsSync(join(repo, 'to-heal.json')), 'the list is gone once every block is stored again');
    await assertRestoresIdentical(repo, snap);
    const clean = await checkJson(repo, '--read-data');
    assert.equal(clean.code, 0, JSON.stringify(clean.report));
  });
}

test('with nothing to heal, an unchanged large file is not read again', async (t) => {
  const dir = await tempDir(t, 'dedupfs-heal-large-');
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'big.bin'), randomBytes(10 * 1024 * 1024));
  const repo = join(dir, 'repo');
  await ingestAt(repo, src);
  assert.equal((await checkJson(repo)).code, 0);
  assert.ok(!existsSync(join(repo, 'to-heal.json')), 'a clean check leaves no list');
  const again = await runCli(['ingest', '--json', '--verbose', src], { repo });
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stdout, /"type":"file"/, 'no file was read');
});
