// Special files and ownership: fifos are made with their mode; as root, device nodes come back
// with their numbers and files with their owner and group; sockets are counted as skipped and
// never created; names that are not UTF-8 work for all of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chown, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ingestedTree, restoreWith } from './fixtures.js';

const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;
const ODD = Buffer.from([0x70, 0xff]); // "p\xff"

test('fifos, devices, sockets and owners', async (t) => {
  const server = createServer();
  const fx = await ingestedTree(t, async (src) => {
    await run('mkfifo', ['-m', '0640', join(src, 'fifo')]);
    await mkdir(join(src, 'odd'));
    // A fifo under a name that is not UTF-8: made through a descriptor, not a path string.
    await run('mkfifo', ['-m', '0600', join(src, 'odd', 'tmp')]);
    const { rename } = await import('node:fs/promises');
    await rename(join(src, 'odd', 'tmp'), Buffer.concat([Buffer.from(join(src, 'odd') + '/'), ODD]));
    if (asRoot) {
      await run('mknod', ['-m', '0620', join(src, 'null-like'), 'c', '1', '3']);
      await run('mknod', ['-m', '0600', join(src, 'block-like'), 'b', '7', '200']);
      await writeFile(join(src, 'owned'), 'owned\n');
      await chown(join(src, 'owned'), 1234, 5678);
    }
    // Closing the server removes its socket file: keep it open until the ingest is done.
    await new Promise<void>((resolve) => server.listen(join(src, 'sock'), resolve));
  });
  server.close();
  const target = join(fx.dir, 'target');
  const r = await restoreWith(t, fx.repoDir, { target });
  assert.equal(r.errors, 0, r.messages.join('\n'));
  assert.equal(r.skipped, 1);
  await assert.rejects(lstat(join(target, 'sock')), { code: 'ENOENT' });
  const fifo = await lstat(join(target, 'fifo'));
  assert.equal(fifo.isFIFO(), true);
  assert.equal(fifo.mode & 0o7777, 0o640);
  const odd = await readdir(Buffer.from(join(target, 'odd')), { encoding: 'buffer' });
  assert.deepEqual(odd, [ODD]);
  assert.deepEqual((await readdir(join(target, 'odd'))).length, 1);
  if (!asRoot) {
    assert.equal(r.special, 2);
    return;
  }
  assert.equal(r.special, 4);
  const chr = await lstat(join(target, 'null-like'));
  assert.equal(chr.isCharacterDevice(), true);
  assert.equal(chr.rdev, (await lstat(join(fx.src, 'null-like'))).rdev);
  assert.equal(chr.mode & 0o7777, 0o620);
  const blk = await lstat(join(target, 'block-like'));
  assert.equal(blk.isBlockDevice(), true);
  assert.equal(blk.rdev, (await lstat(join(fx.src, 'block-like'))).rdev);
  const owned = await lstat(join(target, 'owned'));
  assert.deepEqual([owned.uid, owned.gid], [1234, 5678]);
  assert.equal(Math.floor(chr.mtimeMs), Math.floor((await lstat(join(fx.src, 'null-like'))).mtimeMs));
});
