// `dedupfs chunk` end to end: the reference cuts as text and JSON, several files, and the
// exit statuses for a bad size (2) and a missing file (1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { loadVectors, SEKIEN_IMAGE as IMAGE } from './vectors.js';

const reference = loadVectors().find((v) => v.name === 'SekienAkashita.jpg')!.cases[0];
const PARAMS = ['--min', '4096', '--avg', '16K', '--max', '65535', '--level', '1'];

test('chunk: one line per reference chunk, then the summary', async () => {
  const r = await runCli(['chunk', IMAGE, ...PARAMS]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.slice(1, -1).map((l) => l.trim().split(/\s+/)),
    reference.chunks.map((c) => [String(c.offset), String(c.length), c.sha256]));
  assert.match(lines.at(-1)!, /^5 chunks, 109466 bytes .*smallest 17140, largest 28084$/);
});

test('chunk --json: the chunks of one file; {file, chunks} for several', async () => {
  const one = await runCli(['chunk', IMAGE, ...PARAMS, '--seed', '0x0', '--json']);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(JSON.parse(one.stdout), reference.chunks.map(({ offset, length, hash, sha256 }) => ({ offset, length, hash, sha256 })));
  const two = await runCli(['chunk', IMAGE, IMAGE, ...PARAMS, '--json']);
  const parsed = JSON.parse(two.stdout) as Array<{ file: string; chunks: unknown[] }>;
  assert.deepEqual(parsed.map((f) => [f.file, f.chunks.length]), [[IMAGE, 5], [IMAGE, 5]]);
});

test('chunk: bad size exits 2, missing file exits 1 with a one-line message', async () => {
  const bad = await runCli(['chunk', IMAGE, '--min', '4Q']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid size '4Q'/);
  const missing = await runCli(['chunk', '/nonexistent/file']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'dedupfs: cannot open /nonexistent/file: does not exist\n');
});
