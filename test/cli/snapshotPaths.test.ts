// Paths inside a snapshot, written either way a user thinks of them: relative to the snapshot's
// root, or as the absolute path the file was stored from (one source or several). A path that
// is in neither is an error naming what the snapshot holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT } from '../../src/ui/exitCodes.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

test('SNAP:PATH takes the path from the root or the absolute source path; a miss names the contents', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  const data = join(dir, 'tmp', 'data'), conf = join(dir, 'conf');
  await mkdir(join(data, 'sub'), { recursive: true });
  await mkdir(conf);
  await writeFile(join(data, 'keep.txt'), 'keep\n');
  await writeFile(join(data, 'sub', 'deep.txt'), 'deep\n');
  await writeFile(join(conf, 'app.conf'), 'conf\n');
  const run = async (args: string[]) => {
    const r = await runCli(args, { repo });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await run(['init', '-q']);
  await run(['ingest', '--init', '-q', data]);
  const one = (JSON.parse(await run(['snapshots', '--json'])) as Array<{ id: string }>)[0].id.slice(0, 8);
  await run(['ingest', '--init', '-q', data, conf]);

  // One source: its root is the folder itself.
  assert.equal(await run(['cat', `${one}:/keep.txt`]), 'keep\n');
  assert.equal(await run(['cat', `${one}:${data}/keep.txt`]), 'keep\n');
  assert.equal(await run(['cat', `${one}:${data}/sub/../sub/deep.txt`]), 'deep\n');
  assert.equal(await run(['ls', `${one}:${data}/sub`]), 'deep.txt\n');
  await run(['restore', '-q', `${one}:${data}/sub`, join(dir, 'r1')]);
  assert.equal(await readFile(join(dir, 'r1', 'sub', 'deep.txt'), 'utf8'), 'deep\n');

  // Several sources: each is an entry named by its base name.
  assert.equal(await run(['cat', 'latest:/data/keep.txt']), 'keep\n');
  assert.equal(await run(['cat', `latest:${data}/keep.txt`]), 'keep\n');
  assert.equal(await run(['cat', `latest:${conf}/app.conf`]), 'conf\n');
  assert.equal(await run(['ls', `latest:${data}`]), 'keep.txt\nsub\n');

  const missing = await runCli(['cat', `${one}:${data}/nope.txt`], { repo });
  assert.equal(missing.code, EXIT.ERROR);
  const [message, hint] = missing.stderr.split('\n');
  assert.equal(message, `dedupfs: ${data}/nope.txt does not exist in snapshot ${one}`);
  assert.match(hint, new RegExp(`holds ${data}; at its root: keep\\.txt, sub\\.`));
  const several = await runCli(['ls', 'latest:/etc/hosts'], { repo });
  assert.equal(several.code, EXIT.ERROR);
  assert.match(several.stderr.split('\n')[0], /\/etc does not exist in snapshot [0-9a-f]{8}$/);
  assert.match(several.stderr.split('\n')[1], new RegExp(`holds ${data}, ${conf}; at its root: conf, data`));
});
