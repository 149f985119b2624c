// The tamper matrix of issue 13 on an encrypted repository (format 4: sealed packs), through the
// real CLI: a flipped byte in a block, a truncated pack, two blocks swapped between packs, an old
// snapshot record replayed under a new name; and for the sealed layout a flipped byte in a
// record's box, in a pack's sealed trailer, and a trailer replayed from another pack. Each is
// found by `check --read-data`. A restore meets what touches a block: it exits non-zero with one
// line and restores no byte that was not stored (a file is restored whole and right, or not at
// all); damage to a box or a trailer leaves every block intact (they authenticate on their own),
// so the restore is whole and right. Each case works on its own copy of one repository, with its
// own cache folder. The test finds blocks through the sealed trailers, with the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackEntry } from '../../src/store/pack/format.js';
import { BOX_BYTES } from '../../src/store/pack/sealedFormat.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { openSealedRepo, packFiles, sealedEntries, type SealedRepo } from '../helpers/sealedPacks.js';
import { tempDir } from '../helpers/tempDir.js';

/** The data block of `rawLength` bytes in the pack at `path` (each source file is one such block). */
async function dataBlock(path: string, sealed: SealedRepo, rawLength: number): Promise<PackEntry> {
  const { entries } = await sealedEntries(path, sealed);
  const found = entries.filter((e) => e.type === 0 && e.rawLength === rawLength);
  assert.equal(found.length, 1, `one data block of ${rawLength} bytes`);
  return found[0];
}

/** Where a block's body (its envelope's ciphertext and tag) lies in its pack, and how long it is. */
function body(e: PackEntry): { start: number; length: number } {
  return { start: e.offset + BOX_BYTES, length: e.storedLength - e.seal!.length };
}

/**
 * Refused with one line: an error (exit 1, and its hint) or, for a restore that goes on past a
 * damaged file, one warning per damaged file (exit 3). No stack trace.
 */
function assertRefused(r: CliResult, what: string): void {
  assert.ok(r.code === 1 || r.code === 3, `${what}: exit ${r.code}\n${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.length >= 1 && lines.every((l) => /^(dedupfs|warning): \S/.test(l) || /^ {2}\S/.test(l)), `${what}: ${r.stderr}`);
  assert.ok(lines.filter((l) => l.startsWith('dedupfs:')).length <= 1, `${what}: ${r.stderr}`);
}

test('tamper matrix on an encrypted repository: each change is found by check --read-data and refused by restore, one line, nothing wrong restored', async (t) => {
  const dir = await tempDir(t);
  const password = join(dir, 'pass');
  await writeFile(password, 'tamper\n');
  const env = (name: string) => ({ XDG_CACHE_HOME: join(dir, `cache-${name}`), DEDUPFS_PASSWORD_FILE: password, DEDUPFS_PASSWORD_COMMAND: undefined });
  const src = join(dir, 'src');
  await mkdir(src);
  // Two files of the same length, each below the smallest chunk: one block each, sealed to the same length.
  const contents = { 'a.bin': randomBytes(1500), 'b.bin': randomBytes(1500) };
  const base = join(dir, 'base');
  assert.equal((await runCli(['init', '--encryption'], { repo: base, env: env('base') })).code, 0);
  await writeFile(join(src, 'a.bin'), contents['a.bin']);
  assert.equal((await runCli(['ingest', src], { repo: base, env: env('base') })).code, 0);
  await writeFile(join(src, 'b.bin'), contents['b.bin']);
  assert.equal((await runCli(['ingest', src], { repo: base, env: env('base') })).code, 0);
  const [first, second] = await packFiles(base);
  assert.ok(second, 'two ingests, two packs');
  const sealed = await openSealedRepo(base, password);
  const [oldRecord] = (await readdir(join(base, 'snapshots'))).filter((n) => n.endsWith('.json')).sort();
  assert.equal((await runCli(['check', '--read-data'], { repo: base, env: env('base') })).code, 0);
  const inCopy = (repo: string, path: string) => join(repo, path.slice(base.length));

  const cases: Array<{ name: string; damage: (repo: string) => Promise<void>; found: RegExp; restores?: boolean }> = [
    {
      name: 'a flipped byte in a block',
      damage: async (repo) => {
        const path = inCopy(repo, first);
        const pack = await readFile(path);
        const b = body(await dataBlock(first, sealed, 1500));
        pack[b.start + (b.length >> 1)] ^= 0x01;
        await writeFile(path, pack);
      },
      found: /do not authenticate/,
    },
    {
      name: 'a truncated pack',
      damage: async (repo) => {
        const path = inCopy(repo, second);
        const pack = await readFile(path);
        await writeFile(path, pack.subarray(0, body(await dataBlock(second, sealed, 1500)).start + 100));
      },
      found: /damaged|missing|truncated|short/i,
    },
    {
      name: 'two blocks swapped between packs',
      damage: async (repo) => {
        const paths = [inCopy(repo, first), inCopy(repo, second)];
        const [p1, p2] = await Promise.all(paths.map((p) => readFile(p)));
        const [b1, b2] = [body(await dataBlock(first, sealed, 1500)), body(await dataBlock(second, sealed, 1500))];
        assert.equal(b1.length, b2.length);
        const sealed1 = Buffer.from(p1.subarray(b1.start, b1.start + b1.length));
        p2.copy(p1, b1.start, b2.start, b2.start + b2.length);
        sealed1.copy(p2, b2.start);
        await Promise.all([writeFile(paths[0], p1), writeFile(paths[1], p2)]);
      },
      found: /do not authenticate/,
    },
    {
      name: 'an old snapshot record replayed under a new name',
      damage: async (repo) => {
        await copyFile(join(repo, 'snapshots', oldRecord), join(repo, 'snapshots', `${'cd'.repeat(32)}.json`));
      },
      found: /do(es)? not authenticate/,
    },
    {
      name: 'a flipped byte in the sealed box of a record',
      damage: async (repo) => {
        const path = inCopy(repo, first);
        const pack = await readFile(path);
        pack[(await dataBlock(first, sealed, 1500)).offset + 40] ^= 0x01;
        await writeFile(path, pack);
      },
      found: /record header does not match/,
      restores: true,
    },
    {
      name: 'a flipped byte in a sealed trailer',
      damage: async (repo) => {
        const path = inCopy(repo, second);
        const pack = await readFile(path);
        pack[pack.length - 30] ^= 0x01;
        await writeFile(path, pack);
      },
      found: /trailer is damaged/,
      restores: true,
    },
    {
      name: 'the trailer of one pack put on another',
      damage: async (repo) => {
        const [p1, p2] = await Promise.all([first, second].map((p) => readFile(p)));
        const trailer = (p: Buffer) => p.subarray(p.length - 12 - p.readUInt32LE(p.length - 12));
        const start = p2.length - trailer(p2).length;
        await writeFile(inCopy(repo, second), Buffer.concat([p2.subarray(0, start), trailer(p1)]));
      },
      found: /trailer is damaged|trailer does not match/,
      restores: true,
    },
  ];
  for (const c of cases) {
    const repo = join(dir, c.name.replaceAll(' ', '-'));
    await cp(base, repo, { recursive: true });
    await c.damage(repo);
    // Restore first, so it meets the damage itself (check --read-data takes damaged copies out of the index).
    const out = join(dir, `out-${c.name.replaceAll(' ', '-')}`);
    const restore = await runCli(['restore', 'latest', out], { repo, env: env(repo) });
    if (c.restores) assert.equal(restore.code, 0, `${c.name}: restore\n${restore.stderr}`);
    else assertRefused(restore, `${c.name}: restore`);
    // Nothing restored that was not stored: a file is whole and right, or named as damaged with zeros where its block was.
    const restored = await readdir(out, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of restored.filter((f) => f.isFile())) {
      const want = contents[e.name as keyof typeof contents];
      assert.ok(want, `${c.name}: restore left ${e.name}`);
      const got = await readFile(join(e.parentPath, e.name));
      if (got.equals(want)) continue;
      assert.ok(!c.restores, `${c.name}: ${e.name} not restored whole`);
      assert.deepEqual(got, Buffer.alloc(want.length), `${c.name}: ${e.name} restored with bytes that were never stored`);
      assert.match(restore.stderr, new RegExp(`/${e.name} is damaged: .* left as zeros`), c.name);
    }
    if (c.restores) assert.equal(restored.filter((f) => f.isFile()).length, 2, `${c.name}: both files restored`);
    const check = await runCli(['check', '--read-data'], { repo, env: env(repo) });
    assert.notEqual(check.code, 0, `${c.name}: check passed\n${check.stdout}`);
    assert.match(check.stdout + check.stderr, c.found, c.name);
    assert.doesNotMatch(check.stderr, /\n\s+at /);
  }
});
