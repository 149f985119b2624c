// -q in a cron job: a command that succeeds prints nothing at all, on stdout or stderr, except
// the output that is its purpose (cat, ls, snapshots, stats, --json). What goes wrong still
// prints: a failed check shows its findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { flipBlockByte, locateBlocks } from '../helpers/damage.js';
import { tempDir } from '../helpers/tempDir.js';

test('-q: a successful command prints zero bytes; purpose output and failures still print', async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'src');
  await mkdir(src);
  const repo = join(dir, 'repo');
  const silent = async (args: string[]) => {
    const r = await runCli(args, { repo });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout + r.stderr, '', `${args.join(' ')} printed`);
  };

  await silent(['init', '-q']);
  for (let i = 0; i < 3; i++) {
    await writeFile(join(src, `file${i}.txt`), `version ${i}\n`.repeat(1000));
    await silent(['ingest', '--init', '-q', '--tag', 'daily', src]);
  }
  await silent(['forget', '-q', '--keep-last', '2']);
  await silent(['gc', '-q']);
  await silent(['check', '-q']);
  await silent(['check', '-q', '--read-data-subset', '1/2']);
  await silent(['forget', '-q', '--keep-last', '1', '--gc']);
  await silent(['restore', '-q', 'latest', join(dir, 'restored')]);
  await silent(['repair', '-q']);
  await silent(['unlock', '-q']);

  // Purpose output is not silenced.
  const snaps = await runCli(['snapshots', '-q'], { repo });
  assert.match(snaps.stdout, /^1 snapshot$/m);
  const cat = await runCli(['cat', '-q', 'latest:/file2.txt'], { repo });
  assert.equal(cat.stdout, 'version 2\n'.repeat(1000));
  assert.match((await runCli(['ls', '-q', 'latest'], { repo })).stdout, /file0\.txt/);
  assert.match((await runCli(['stats', '-q'], { repo })).stdout, /deduplication/);
  const json = await runCli(['check', '-q', '--json'], { repo });
  assert.equal(JSON.parse(json.stdout).ok, true);

  // A failure is not silenced: the findings print and the status says so.
  const id = (JSON.parse((await runCli(['snapshots', '--json'], { repo })).stdout) as Array<{ id: string }>)[0].id;
  await flipBlockByte((await locateBlocks(repo, id, '/file1.txt'))[0]);
  const damaged = await runCli(['check', '-q', '--read-data'], { repo });
  assert.equal(damaged.code, 1);
  assert.match(damaged.stdout, /1 damaged or missing block:/);
  assert.match(damaged.stdout, /\/file1\.txt/);
});
