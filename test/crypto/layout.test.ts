// The sealed pack layout of format 4 (docs/ENCRYPTION.md, "Format 4"), on real repositories made by
// the CLI: a pack shows no block boundary (no length of a block near where a record starts or
// ends, no run of bytes repeated as a clear header or an envelope's session tag would be), the
// blocks of a pack lie in random order, a pack whose trailer is cut is walked by its sealed boxes
// (repair salvages it; an unsealed pack left by a killed ingest is taken over by the next), and
// a format 3 repository made by the clear layout (test/fixtures/format3) still restores, takes
// ingests in its own layout and checks clean. The same searches run on clear packs and find what
// they look for, so they can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLEAR_PACKS, recordBytes, type PackEntry, type PackFormat } from '../../src/store/pack/format.js';
import { readPackEntries } from '../../src/store/pack/readPackEntries.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { openSealedRepo, packFiles, sealedEntries } from '../helpers/sealedPacks.js';
import { tempDir } from '../helpers/tempDir.js';

const FORMAT3 = fileURLToPath(new URL('../../../test/fixtures/format3/repo.tar.gz', import.meta.url));

async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length)] = createHash('sha256').update(await readFile(join(e.parentPath, e.name))).digest('hex');
  }
  return out;
}

/** Any u32le within 64 bytes of a record's start or end that equals a length of a block of the pack. */
function lengthsAtBoundaries(pack: Buffer, entries: PackEntry[], format: PackFormat): string[] {
  const lengths = new Set<number>();
  for (const e of entries) for (const n of [e.rawLength, e.storedLength, e.storedLength - format.detached, recordBytes(format, e.storedLength)]) lengths.add(n);
  const found: string[] = [];
  for (const e of entries) {
    for (const edge of [e.offset, e.offset + recordBytes(format, e.storedLength)]) {
      for (let at = Math.max(0, edge - 64); at < Math.min(pack.length - 4, edge + 64); at++) {
        const n = pack.readUInt32LE(at);
        if (lengths.has(n)) found.push(`${n} at ${at} (record at ${e.offset})`);
      }
    }
  }
  return found;
}

/** Runs of 8 bytes found more than once in `pack` (a clear header's magic, a session tag repeated at every envelope). */
function repeatedRuns(pack: Buffer): number {
  const seen = new Set<string>();
  let repeats = 0;
  for (let at = 0; at + 8 <= pack.length; at++) {
    const run = pack.toString('latin1', at, at + 8);
    if (seen.has(run)) repeats++;
    else seen.add(run);
  }
  return repeats;
}

/** The share of pairs of `xs` that are out of ascending order (0 sorted, ~0.5 shuffled). */
function outOfOrder(xs: number[]): number {
  let out = 0;
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) if (xs[i] > xs[j]) out++;
  return out / (xs.length * (xs.length - 1) / 2);
}

function ok(r: CliResult, what: string): CliResult {
  assert.equal(r.code, 0, `${what}: ${r.stdout}${r.stderr}`);
  return r;
}

async function setup(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t);
  const password = join(dir, 'pass');
  await writeFile(password, 'layout\n');
  const env = { XDG_CACHE_HOME: join(dir, 'cache'), DEDUPFS_PASSWORD_FILE: password, DEDUPFS_PASSWORD_COMMAND: undefined };
  const cli = (repo: string, args: string[]) => runCli(args, { repo, env });
  /** A new encrypted repository holding one snapshot of a folder with `files`. */
  const ingested = async (files: Record<string, Buffer | string>) => {
    const src = join(dir, 'src'), repo = join(dir, 'sealed');
    await mkdir(src);
    for (const [name, data] of Object.entries(files)) await writeFile(join(src, name), data);
    ok(await cli(repo, ['init', '--encryption']), 'init');
    ok(await cli(repo, ['ingest', src]), 'ingest');
    return { src, repo };
  };
  return { dir, password, env, cli, ingested };
}

test('format 4 packs: no block length near a record boundary, no repeated run, blocks in random order; clear packs show all three', async (t) => {
  const { dir, password, cli, ingested } = await setup(t);
  // 40 small files of distinct lengths, one block each, stored in name order; a large random file and some text.
  const files: Record<string, Buffer | string> = { 'large.bin': randomBytes(1_500_000), 'text.txt': 'the same line of text again and again\n'.repeat(20_000) };
  for (let i = 0; i < 40; i++) files[`small-${String(i).padStart(2, '0')}.bin`] = randomBytes(2000 + i * 7);
  const { src, repo } = await ingested(files);
  const sealed = await openSealedRepo(repo, password);
  const plain = join(dir, 'plain');
  ok(await cli(plain, ['init', '--encryption', 'none']), 'init plain');
  ok(await cli(plain, ['ingest', src]), 'ingest plain');

  const smallInOrder = (entries: PackEntry[]) => entries.filter((e) => e.type === 0 && e.rawLength >= 2000 && e.rawLength < 2300).map((e) => e.rawLength);
  for (const path of await packFiles(repo)) {
    const pack = await readFile(path);
    const { entries, sealed: whole } = await sealedEntries(path, sealed);
    assert.ok(whole && entries.length > 0);
    assert.deepEqual(lengthsAtBoundaries(pack, entries, sealed.format), [], path);
    assert.equal(repeatedRuns(pack), 0, `${path}: repeated runs of 8 bytes`);
    const small = smallInOrder(entries);
    if (small.length > 10) assert.notDeepEqual(small, [...small].sort((a, b) => a - b), 'the small files\' blocks are not in file order');
  }
  // The same searches on clear packs: a plain repository and the format 3 fixture.
  for (const path of await packFiles(plain)) {
    const pack = await readFile(path);
    const { entries } = await readPackEntries(path);
    assert.ok(lengthsAtBoundaries(pack, entries, CLEAR_PACKS).length >= 2 * entries.length, 'every clear header shows its lengths');
    // Files are read two at a time, so neighbours may swap; but hardly any pair is out of order.
    const small = smallInOrder(entries);
    assert.ok(small.length > 10 && outOfOrder(small) <= 0.1, `a clear pack holds the small files nearly in file order: ${small}`);
  }
  const format3 = join(dir, 'format3');
  await mkdir(format3);
  execFileSync('tar', ['-xzf', FORMAT3, '-C', format3]);
  const [pack3] = await packFiles(join(format3, 'repo'));
  const clear = await readFile(pack3);
  const { entries: entries3 } = await readPackEntries(pack3);
  assert.ok(lengthsAtBoundaries(clear, entries3, CLEAR_PACKS).length >= 2 * entries3.length, 'every clear header shows its lengths');
  assert.ok(repeatedRuns(clear) >= entries3.length, 'a format 3 pack repeats its header magic and session tag at every block');
});

test('format 4: a pack whose trailer is cut is walked by its sealed boxes: check names it, repair salvages it, every snapshot restores', async (t) => {
  const { dir, password, cli, ingested } = await setup(t);
  const { src, repo } = await ingested({ 'one.bin': randomBytes(400_000), 'two.txt': 'text that compresses well\n'.repeat(10_000) });
  const sealed = await openSealedRepo(repo, password);
  const [path] = await packFiles(repo);
  const before = await sealedEntries(path, sealed);
  const last = before.entries.at(-1)!;
  await truncate(path, last.offset + recordBytes(sealed.format, last.storedLength) + 10);
  const walked = await sealedEntries(path, sealed);
  assert.equal(walked.sealed, false);
  assert.deepEqual(walked.entries.map((e) => [e.offset, e.address.toString('hex'), e.seal!.toString('hex')]),
    before.entries.map((e) => [e.offset, e.address.toString('hex'), e.seal!.toString('hex')]), 'the boxes give back every entry');

  const check = await cli(repo, ['check']);
  assert.equal(check.code, 1, check.stdout + check.stderr);
  assert.match(check.stdout + check.stderr, /trailer/);
  ok(await cli(repo, ['repair']), 'repair');
  ok(await cli(repo, ['check', '--read-data']), 'check after repair');
  const out = join(dir, 'out');
  ok(await cli(repo, ['restore', 'latest', out]), 'restore');
  assert.deepEqual(await hashes(out), await hashes(src));
  const [salvaged] = await packFiles(repo);
  assert.notEqual(basename(salvaged), basename(path), 'the pack was replaced by a salvaged one');
  assert.equal((await sealedEntries(salvaged, sealed)).sealed, true);
});

test('format 4: an unsealed pack a killed ingest left (no trailer) is left alone by a write-only key and taken over by the next full-key ingest, walked by its boxes', async (t) => {
  const { dir, env, cli, ingested } = await setup(t);
  const { src, repo } = await ingested({ 'one.bin': randomBytes(300_000) });
  // What a kill before the seal leaves: the pack without its trailer in packs/tmp, its blocks in no index.
  const [path] = await packFiles(repo);
  const pack = await readFile(path);
  const trailer = 12 + pack.readUInt32LE(pack.length - 12);
  await mkdir(join(repo, 'packs', 'tmp'), { recursive: true });
  await writeFile(join(repo, 'packs', 'tmp', `${basename(path, '.pack')}.tmp`), pack.subarray(0, pack.length - trailer));
  await rm(path);
  await rm(join(repo, 'index'), { recursive: true });

  // A write-only key cannot check the records: its ingest leaves the pack whole (under its own lock id, gone when it exits).
  const writeOnly = join(dir, 'write-only.pass');
  await writeFile(writeOnly, 'cron host\n');
  ok(await cli(repo, ['key', 'add', '--write-only', '--new-password-file', writeOnly]), 'key add --write-only');
  const empty = join(dir, 'empty');
  await mkdir(empty);
  ok(await runCli(['ingest', empty], { repo, env: { ...env, DEDUPFS_PASSWORD_FILE: writeOnly } }), 'write-only ingest');
  const left = (await readdir(join(repo, 'packs', 'tmp'))).filter((n) => n.startsWith(basename(path, '.pack')));
  assert.equal(left.length, 1, 'the unsealed pack is still there');
  assert.equal((await readFile(join(repo, 'packs', 'tmp', left[0]))).length, pack.length - trailer);

  const r = ok(await cli(repo, ['ingest', '--json', src]), 'ingest after the kill');
  const report = JSON.parse(r.stdout);
  assert.equal(report.added.blocks, 0, 'every block was recovered from the unsealed pack, none stored again');
  ok(await cli(repo, ['check', '--read-data']), 'check');
  const out = join(dir, 'out');
  ok(await cli(repo, ['restore', 'latest', out]), 'restore');
  assert.deepEqual(await hashes(out), await hashes(src));
});

test('a format 3 repository (clear pack layout, made before format 4) restores, takes ingests in its own layout and checks clean', async (t) => {
  const { dir } = await setup(t);
  execFileSync('tar', ['-xzf', FORMAT3, '-C', dir]);
  const repo = join(dir, 'repo');
  const password = join(dir, 'format3.pass');
  await writeFile(password, 'format3-fixture\n');
  const env = { XDG_CACHE_HOME: join(dir, 'cache3'), DEDUPFS_PASSWORD_FILE: password, DEDUPFS_PASSWORD_COMMAND: undefined };
  const cli = (args: string[]) => runCli(args, { repo, env });
  const out = join(dir, 'out');
  ok(await cli(['restore', 'latest', out]), 'restore');
  // The fixture's files (see test/fixtures/format3/README.md), by hash.
  assert.deepEqual(await hashes(out), {
    '/notes.txt': 'cb43e8c06b6b2e7c2b3ab7fe5b555d7bee73f785ceb57ac4643e81b7ecc131d1',
    '/random.bin': '966df244cda95b3cb193313f67a4a337a39290d84df9a707154d862fd8c2fb25',
    '/sub/small.txt': '5f320a1684a8530af99761b34b111ad275340df868aa2de7a448f30260c760c4',
  });
  const src = join(dir, 'more');
  await mkdir(src);
  await writeFile(join(src, 'new.bin'), randomBytes(100_000));
  ok(await cli(['ingest', src]), 'ingest');
  for (const path of await packFiles(repo)) assert.equal((await readFile(path)).subarray(0, 8).toString(), 'DDFSPK01', `${path} is in the clear layout`);
  assert.equal(JSON.parse(await readFile(join(repo, 'config.json'), 'utf8')).format, 3);
  ok(await cli(['check', '--read-data']), 'check');
  const out2 = join(dir, 'out2');
  ok(await cli(['restore', 'latest', out2]), 'restore the new snapshot');
  assert.deepEqual(await hashes(out2), await hashes(src));
});
