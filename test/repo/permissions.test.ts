// Everything a repository holds is owner-only: folders 0700, files 0600, including the files
// that LMDB and SQLite create.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

async function modes(dir: string, out: Array<[string, number]> = []): Promise<Array<[string, number]>> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.push([p, (await stat(p)).mode & 0o777]);
    if (e.isDirectory()) await modes(p, out);
  }
  return out;
}

test('a repository is created owner-only', async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'a'), 'a');
  const repo = join(dir, 'repo');
  const r = await runCli(['ingest', '--init', src], { repo, env: { } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /created repository/);
  const all = await modes(repo);
  assert.ok(all.some(([p]) => p.endsWith('data.mdb')) && all.some(([p]) => p.endsWith('catalog.db')));
  for (const [p, mode] of all) {
    const isDir = (await stat(p)).isDirectory();
    assert.equal(mode, isDir ? 0o700 : 0o600, `${p} has mode ${mode.toString(8)}`);
  }
  assert.equal((await stat(repo)).mode & 0o777, 0o700);
});
