// Rotation through the CLI on a real repository: `key remove ID --rotate` revokes a key and
// starts generation 2; what is written afterwards is sealed under it; `gc --rewrite-all` seals
// every block and snapshot record again under it, and both snapshots still restore byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { openSealedRepo, packFiles, sealedEntries } from '../helpers/sealedPacks.js';

/** The key generation of every sealed thing in the repository: blocks (from their envelope headers in the sealed trailers) and snapshot records. */
async function generations(repo: string, passwordFile: string): Promise<{ blocks: number[]; records: number[] }> {
  const sealed = await openSealedRepo(repo, passwordFile);
  const blocks: number[] = [];
  for (const path of await packFiles(repo)) {
    const contents = await sealedEntries(path, sealed);
    assert.ok(contents.sealed, `${path}: ${contents.problems.join(', ')}`);
    for (const entry of contents.entries) blocks.push(entry.seal!.readUInt32LE(2));
  }
  const records: number[] = [];
  for (const name of await readdir(join(repo, 'snapshots'))) {
    const file = JSON.parse(await readFile(join(repo, 'snapshots', name), 'utf8')) as { body: string };
    records.push(Buffer.from(file.body, 'base64').readUInt32LE(2));
  }
  return { blocks, records };
}

async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length)] = createHash('sha256').update(await readFile(join(e.parentPath, e.name))).digest('hex');
  }
  return out;
}

test('key remove --rotate, then gc --rewrite-all: every block and record sealed under the new generation; both snapshots restore', async (t) => {
  const dir = await tempDir(t);
  const env = { XDG_CACHE_HOME: join(dir, 'cache'), DEDUPFS_PASSWORD_FILE: join(dir, 'main.pass') };
  const repo = join(dir, 'repo');
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { repo, env: { ...env, ...extra } });
  const ok = async (args: string[]) => {
    const r = await cli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  await writeFile(join(dir, 'main.pass'), 'main\n');
  await writeFile(join(dir, 'other.pass'), 'other\n');
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'first.bin'), randomBytes(300_000));
  await ok(['init', '--encryption']);
  await ok(['ingest', src]);
  const first = await hashes(src);

  const other = JSON.parse((await ok(['key', 'add', '--new-password-file', join(dir, 'other.pass'), '--json'])).stdout).key as string;
  const removed = await ok(['key', 'remove', other, '--rotate']);
  assert.match(removed.stdout, /removed key \S+ and started a new key generation/);
  assert.equal((await cli(['snapshots'], { DEDUPFS_PASSWORD_FILE: join(dir, 'other.pass') })).code, 12);

  await writeFile(join(src, 'second.bin'), randomBytes(200_000));
  await ok(['ingest', src]);
  const before = await generations(repo, join(dir, 'main.pass'));
  assert.ok(before.blocks.includes(1) && before.blocks.includes(2), `generations before: ${before.blocks}`);
  assert.deepEqual([...before.records].sort(), [1, 2]);

  const plain = join(dir, 'plain');
  assert.equal((await runCli(['init', '-q'], { repo: plain })).code, 0);
  const refused = await runCli(['gc', '--rewrite-all'], { repo: plain });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /is not encrypted/);

  await ok(['gc', '--rewrite-all']);
  const after = await generations(repo, join(dir, 'main.pass'));
  assert.equal(after.blocks.length, before.blocks.length);
  assert.ok(after.blocks.every((g) => g === 2), `generations after: ${after.blocks}`);
  assert.deepEqual(after.records, [2, 2]);

  assert.match((await ok(['check', '--read-data'])).stdout, /no errors found/);
  const snaps = JSON.parse((await ok(['snapshots', '--json'])).stdout) as Array<{ id: string }>;
  for (const [i, want] of [first, await hashes(src)].entries()) {
    const out = join(dir, `out-${i}`);
    await ok(['restore', snaps[i].id, out]);
    assert.deepEqual(await hashes(out), want);
  }
  const rotated = await ok(['key', 'rotate']);
  assert.match(rotated.stdout, /new data is sealed under key generation 3/);
});
