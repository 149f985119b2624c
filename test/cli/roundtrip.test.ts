// The round trip through the real CLI: a generated tree with every kind of entry (non-UTF-8
// names, empty files, a file of exactly the maximum chunk size, a 300 MiB file, deep nesting,
// 10,000 small files, hard links, symlinks, a fifo, xattrs) is ingested once, then restored
// identical (content hashes, modes, mtimes, link targets, hard-link identity, xattrs), read back
// with cat in bounded memory, and listed with ls.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CHUNKER_PARAMS } from '../../src/chunker/index.js';
import { writeXattrs } from '../../src/core/xattrs.js';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { buildSourceTree, describeTree, NON_UTF8_NAME } from '../helpers/sourceTree.js';

const LARGE = 300 << 20;

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    for await (const chunk of fh.createReadStream()) hash.update(chunk);
  } finally {
    await fh.close().catch(() => undefined);
  }
  return hash.digest('hex');
}

/** A temporary folder where user xattrs can be set: the system's tmpdir, else /var/tmp (a tmpfs
 * /tmp on older kernels has none). */
async function xattrCapableTempDir(): Promise<string> {
  for (const base of [tmpdir(), '/var/tmp']) {
    const dir = await mkdtemp(join(base, 'dedupfs-roundtrip-'));
    const fh = await open(join(dir, 'probe'), 'w');
    try {
      await writeXattrs(fh.fd, [['user.probe', Buffer.from('1')]]);
      return dir;
    } catch {
      await rm(dir, { recursive: true, force: true });
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
  throw new Error('no temporary folder supports user xattrs');
}

describe('round trip through the CLI', () => {
  let dir = '', src = '', repo = '';

  after(() => rm(dir, { recursive: true, force: true }));

  before(async () => {
    dir = await xattrCapableTempDir();
    src = join(dir, 'src');
    repo = join(dir, 'repo');
    await mkdir(src);
    await buildSourceTree(src, { smallFiles: 10_000, exactFile: DEFAULT_CHUNKER_PARAMS.max, largeFile: LARGE, fifo: true, xattrs: true });
    const r = await runCli(['ingest', '--init', src], { repo });
    assert.equal(r.code, 0, r.stderr);
  });

  it('restores every entry identical to the source', async () => {
    const target = join(dir, 'restored');
    const r = await runCli(['restore', 'latest', target, '--json'], { repo });
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.type, 'summary');
    assert.equal(summary.errors, 0);
    assert.equal(summary.warnings, 0);
    assert.ok(summary.files > 10_000);
    const [want, got] = await Promise.all([describeTree(src), describeTree(target)]);
    assert.equal(got.size, want.size);
    for (const [path, facts] of want) assert.deepEqual(got.get(path), facts, path);
    assert.ok(want.get('/hello.txt')?.xattrs, 'the source has xattrs to compare');
    assert.equal(want.get('/large.bin')?.size, LARGE);
  });

  it('cat streams the large file with its exact bytes, in bounded memory', async () => {
    // /usr/bin/time reports the child's peak RSS; the stream is hashed as it arrives.
    const child = spawn('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, CLI_PATH, 'cat', 'latest:/large.bin'],
      { env: { ...process.env, DEDUPFS_REPO: repo }, stdio: ['ignore', 'pipe', 'pipe'] });
    const hash = createHash('sha256');
    let bytes = 0, stderr = '';
    child.stdout.on('data', (d: Buffer) => { hash.update(d); bytes += d.length; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const [code] = await once(child, 'close');
    assert.equal(code, 0, stderr);
    assert.equal(bytes, LARGE);
    assert.equal(hash.digest('hex'), await sha256File(join(src, 'large.bin')));
    const rss = Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1]);
    assert.ok(rss < 200 * 1024, `cat of a 300 MiB file peaked at ${rss} KiB`);
  });

  it('ls lists names (non-UTF-8 escaped), -l details and --json bytes', async () => {
    const plain = await runCli(['ls', 'latest'], { repo });
    assert.equal(plain.code, 0, plain.stderr);
    const names = plain.stdout.trim().split('\n');
    assert.ok(names.includes('fo\\xff\\xfe.bin'), plain.stdout);
    assert.ok(names.includes('hello.txt') && names.includes('many') && names.includes('large.bin'));

    const long = await runCli(['ls', '-l', 'latest'], { repo });
    assert.match(long.stdout, /^-rwxr-xr-x \S+\s+\S+\s+18 \d{4}-\d\d-\d\d \d\d:\d\d script\.sh$/m);
    assert.match(long.stdout, /^lrwxrwxrwx .* link-to-hello -> hello\.txt$/m);
    assert.match(long.stdout, /^prw-r--r-- .* a-fifo$/m);
    assert.match(long.stdout, /^drwx------ .* private$/m);
    assert.match(long.stdout, new RegExp(`^-rw-r--r-- .* ${LARGE} .* large\\.bin$`, 'm'));

    const recursive = await runCli(['ls', '-R', 'latest:/many'], { repo });
    assert.equal(recursive.stdout.trim().split('\n').length, 10_020);
    assert.match(recursive.stdout, /^d7\/f9987\.txt$/m);

    const json = await runCli(['ls', '--json', 'latest'], { repo });
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const odd = lines.find((l) => l.name_base64 === NON_UTF8_NAME.toString('base64'));
    assert.equal(odd.name, 'fo\\xff\\xfe.bin');
    assert.equal(odd.path_base64, Buffer.concat([Buffer.from('/'), NON_UTF8_NAME]).toString('base64'));
    assert.equal(lines.at(-1).type, 'summary');
    assert.equal(lines.at(-1).entries, lines.length - 1);

    const cat = await runCli(['cat', 'latest:/fo\\xff\\xfe.bin'], { repo });
    assert.equal(cat.stdout, 'bytes under a name that is not UTF-8\n');
  });
});
