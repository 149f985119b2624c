// Long runs of blocks read by getMany are checked on read workers (readPool.ts), short ones on
// the JavaScript thread (which also checks the first third of a long run itself). Whichever
// thread checks it, a block comes back as stored, and a damaged block fails alone with the same
// message as a single read of it gives, in a plain and in an
// encrypted repository (where the workers open sealed blocks with the keys they were given).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addressFromHex, type Address } from '../../src/core/address.js';
import { packPath } from '../../src/repo/layout.js';
import { openRepository } from '../../src/repo/repository.js';
import { loadChunkTable } from '../../src/tree/chunkList.js';
import { resolvePath } from '../../src/tree/resolvePath.js';
import { flipBlockByte } from '../helpers/damage.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

for (const encryption of ['none', 'v1'] as const) {
  test(`getMany with encryption ${encryption}: a long run checked on a worker, a damaged block failing alone as a single read reports it`, async (t) => {
    const dir = await tempDir(t, 'dedupfs-readworkers-');
    const repoDir = join(dir, 'repo'), src = join(dir, 'src'), passFile = join(dir, 'pass');
    await writeFile(passFile, 'read workers\n');
    // The encrypted repository's catalog lives under XDG_CACHE_HOME, for the CLI and this process alike.
    const cache = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(dir, 'cache');
    t.after(() => { if (cache === undefined) delete process.env.XDG_CACHE_HOME; else process.env.XDG_CACHE_HOME = cache; });
    const env = { ...process.env, DEDUPFS_PASSWORD_FILE: passFile };
    await mkdir(src);
    const content = randomBytes(3 << 20);
    await writeFile(join(src, 'big.bin'), content);
    for (const args of [['init', '--encryption', encryption], ['ingest', '-q', src]]) {
      const r = await runCli(args, { repo: repoDir, env });
      assert.equal(r.code, 0, r.stderr);
    }

    const open = () => openRepository(repoDir, { lock: 'none', command: 'test', password: { file: passFile } });
    let repo = await open();
    const { entry } = await resolvePath(repo.store, addressFromHex(repo.catalog.list()[0].root), '/big.bin');
    const table = await loadChunkTable(repo.store, entry.content);
    const addrs: Address[] = Array.from({ length: table.count }, (_, k) => table.address(k));
    assert.ok(addrs.length >= 8, `expected many chunks, got ${addrs.length}`);
    // One near the start of the first run (this thread's share), one near the end of the file (a worker's).
    const bad = [1, addrs.length - 2];
    const places = bad.map((k) => repo.store.index.get(addrs[k])!);
    await repo.close();
    for (const loc of places) await flipBlockByte({ ...loc, address: '', path: packPath(repo.layout, loc.packId) });

    repo = await open();
    t.after(() => repo.close());
    const single = await Promise.all(bad.map((k) => repo.store.get(addrs[k]).then(() => assert.fail('the damaged block was read'), (err: Error) => err)));
    for (const err of single) assert.match(err.message, /^block [0-9a-f]{64} in pack [0-9a-f]+ is damaged/);
    const results = await Promise.allSettled(repo.store.getMany(addrs));
    assert.ok(repo.store['readPool'], 'the long run was not given to the read workers');
    results.forEach((r, k) => {
      if (bad.includes(k)) {
        assert.equal(r.status, 'rejected');
        const err = (r as PromiseRejectedResult).reason;
        assert.equal(err.code, 'BLOCK_DAMAGED');
        assert.equal(err.message, single[bad.indexOf(k)].message);
      } else {
        assert.equal(r.status, 'fulfilled', `block ${k}`);
        const at = table.offsets[k];
        assert.deepEqual((r as PromiseFulfilledResult<Buffer>).value, content.subarray(at, at + table.length(k)), `block ${k}`);
      }
    });
  });
}
