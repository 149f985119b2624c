// The tamper matrix of issue 13 on an encrypted repository, through the real CLI: a flipped byte
// in a block, a truncated pack, two blocks swapped between packs, an old snapshot record replayed
// under a new name. Each is found by `check --read-data`, and a restore exits non-zero with one
// line and restores no byte that was not stored (a file is restored whole and right, or not at
// all). Each case works on its own copy of one repository, with its own cache folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORD_MAGIC, HEADER_BYTES, PACK_MAGIC } from '../../src/store/pack/format.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

interface Record { offset: number; type: number; storedLength: number; rawLength: number }

/** The block records of a pack, walked by their headers. */
function recordsOf(pack: Buffer): Record[] {
  const out: Record[] = [];
  for (let at = PACK_MAGIC.length; at + HEADER_BYTES <= pack.length && pack.subarray(at, at + 4).equals(RECORD_MAGIC);) {
    const rec = { offset: at, type: pack[at + 4], rawLength: pack.readUInt32LE(at + 8), storedLength: pack.readUInt32LE(at + 12) };
    out.push(rec);
    at += HEADER_BYTES + rec.storedLength;
  }
  return out;
}

async function packsOf(repo: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(repo, 'packs'), { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.pack')) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

/** The data block of `rawLength` bytes in `pack` (each source file is one such block). */
function dataBlock(pack: Buffer, rawLength: number): Record {
  const found = recordsOf(pack).filter((r) => r.type === 0 && r.rawLength === rawLength);
  assert.equal(found.length, 1, `one data block of ${rawLength} bytes`);
  return found[0];
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
  const [first, second] = await packsOf(base);
  assert.ok(second, 'two ingests, two packs');
  const [oldRecord] = (await readdir(join(base, 'snapshots'))).filter((n) => n.endsWith('.json')).sort();
  assert.equal((await runCli(['check', '--read-data'], { repo: base, env: env('base') })).code, 0);

  const cases: Array<{ name: string; damage: (repo: string) => Promise<void>; found: RegExp }> = [
    {
      name: 'a flipped byte in a block',
      damage: async (repo) => {
        const path = join(repo, first.slice(base.length));
        const pack = await readFile(path);
        const rec = dataBlock(pack, 1500);
        pack[rec.offset + HEADER_BYTES + (rec.storedLength >> 1)] ^= 0x01;
        await writeFile(path, pack);
      },
      found: /do not authenticate/,
    },
    {
      name: 'a truncated pack',
      damage: async (repo) => {
        const path = join(repo, second.slice(base.length));
        const pack = await readFile(path);
        const rec = dataBlock(pack, 1500);
        await writeFile(path, pack.subarray(0, rec.offset + HEADER_BYTES + 100));
      },
      found: /damaged|missing|truncated|short/i,
    },
    {
      name: 'two blocks swapped between packs',
      damage: async (repo) => {
        const paths = [first, second].map((p) => join(repo, p.slice(base.length)));
        const [p1, p2] = await Promise.all(paths.map((p) => readFile(p)));
        const [r1, r2] = [dataBlock(p1, 1500), dataBlock(p2, 1500)];
        assert.equal(r1.storedLength, r2.storedLength);
        const sealed1 = Buffer.from(p1.subarray(r1.offset + HEADER_BYTES, r1.offset + HEADER_BYTES + r1.storedLength));
        p2.copy(p1, r1.offset + HEADER_BYTES, r2.offset + HEADER_BYTES, r2.offset + HEADER_BYTES + r2.storedLength);
        sealed1.copy(p2, r2.offset + HEADER_BYTES);
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
  ];
  for (const c of cases) {
    const repo = join(dir, c.name.replaceAll(' ', '-'));
    await cp(base, repo, { recursive: true });
    await c.damage(repo);
    // Restore first, so it meets the damage itself (check --read-data takes damaged copies out of the index).
    const out = join(dir, `out-${c.name.replaceAll(' ', '-')}`);
    const restore = await runCli(['restore', 'latest', out], { repo, env: env(repo) });
    assertRefused(restore, `${c.name}: restore`);
    // Nothing restored that was not stored: a file is whole and right, or named as damaged with zeros where its block was.
    const restored = await readdir(out, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of restored.filter((f) => f.isFile())) {
      const want = contents[e.name as keyof typeof contents];
      assert.ok(want, `${c.name}: restore left ${e.name}`);
      const got = await readFile(join(e.parentPath, e.name));
      if (got.equals(want)) continue;
      assert.deepEqual(got, Buffer.alloc(want.length), `${c.name}: ${e.name} restored with bytes that were never stored`);
      assert.match(restore.stderr, new RegExp(`/${e.name} is damaged: .* left as zeros`), c.name);
    }
    const check = await runCli(['check', '--read-data'], { repo, env: env(repo) });
    assert.notEqual(check.code, 0, `${c.name}: check passed\n${check.stdout}`);
    assert.match(check.stdout + check.stderr, c.found, c.name);
    assert.doesNotMatch(check.stderr, /\n\s+at /);
  }
});
