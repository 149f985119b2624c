// Repository format 2 (repositories in a bucket) leaves folders as they were: a new plain folder
// repository is format 1, is used by every command, and its config.json is not rewritten.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { buildSourceTree, describeTree } from '../helpers/sourceTree.js';
import { tempDir } from '../helpers/tempDir.js';

test('a format 1 folder repository opens, takes ingests, restores, checks and collects garbage', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  const src = join(dir, 'src');
  await runCli(['init', '-q'], { repo });
  const configPath = join(repo, 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8'));
  assert.equal(config.format, 1, 'new plain folder repositories are format 1');
  const format1 = await readFile(configPath, 'utf8');

  await mkdir(src);
  await buildSourceTree(src, { smallFiles: 20 });
  for (const args of [['ingest', '-q', src], ['ingest', '-q', src], ['forget', '-q', 'latest~1'], ['gc', '-q'], ['check', '--read-data', '-q']]) {
    const r = await runCli(args, { repo });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  }
  const out = join(dir, 'out');
  assert.equal((await runCli(['restore', '-q', 'latest', out], { repo })).code, 0);
  assert.deepEqual(await describeTree(out), await describeTree(src));
  assert.equal(await readFile(configPath, 'utf8'), format1, 'config.json is left as format 1');
});
