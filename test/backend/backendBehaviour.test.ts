// The behaviour every backend promises (src/backend/backend.ts), run unchanged against a folder
// and against a real S3 server: whole and ranged reads, head, paginated listing of more than
// 1000 keys, deletes, visibility of a put only when complete (a writer killed mid-put), and the
// number of requests each operation costs.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend } from '../../src/backend/backend.js';
import { FolderBackend } from '../../src/backend/folderBackend.js';
import { openBackend } from '../../src/backend/openBackend.js';
import { formatS3Location } from '../../src/backend/parseRepoLocation.js';
import { DedupfsError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/tempDir.js';
import { skipS3, testBucket } from './s3TestServer.js';

const openModule = fileURLToPath(new URL('../../src/backend/openBackend.js', import.meta.url));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface Kind {
  name: 'folder' | 's3';
  skip: string | false;
  /** A --repo value for a new, empty repository. */
  repo(t: TestContext): Promise<string>;
}

const kinds: Kind[] = [
  { name: 'folder', skip: false, repo: (t) => tempDir(t, 'dedupfs-backend-') },
  { name: 's3', skip: skipS3, repo: async (t) => formatS3Location(await testBucket(t, 'hosts/a')) },
];

async function open(t: TestContext, kind: Kind, s3: { pageKeys?: number } = {}): Promise<Backend> {
  const backend = await openBackend(await kind.repo(t), { s3 });
  t.after(() => backend.close());
  return backend;
}

function isCode(code: string): (err: unknown) => boolean {
  return (err) => err instanceof DedupfsError && err.code === code;
}

for (const kind of kinds) {
  describe(`${kind.name} backend`, { skip: kind.skip }, () => {
    test('put, get, head and overwrite give back exactly the bytes stored', async (t) => {
      const b = await open(t, kind);
      const data = randomBytes(300_000);
      await b.put('snapshots/one.json', data);
      assert.equal(sha(await b.get('snapshots/one.json')), sha(data));
      const info = await b.head('snapshots/one.json');
      assert.equal(info?.size, data.length);
      assert.ok(Math.abs(info!.modified.getTime() - Date.now()) < 60_000);
      await b.put('snapshots/one.json', Buffer.from('replaced'));
      assert.equal((await b.get('snapshots/one.json')).toString(), 'replaced');
      assert.equal(await b.head('snapshots/none.json'), undefined);
      await assert.rejects(b.get('snapshots/none.json'), isCode('NOT_FOUND'));
    });

    test('ranged reads return the slice asked for; past the end is a damaged object', async (t) => {
      const b = await open(t, kind);
      const data = randomBytes(100_000);
      await b.put('packs/ab/abc.pack', data);
      assert.deepEqual(await b.getRange('packs/ab/abc.pack', 12_345, 1000), data.subarray(12_345, 13_345));
      assert.deepEqual(await b.getRange('packs/ab/abc.pack', 99_999, 1), data.subarray(99_999));
      await assert.rejects(b.getRange('packs/ab/abc.pack', 99_000, 2000), isCode('REPO_DAMAGED'));
      await assert.rejects(b.getRange('packs/ab/abc.pack', 200_000, 10), isCode('REPO_DAMAGED'));
      await assert.rejects(b.getRange('packs/ab/none.pack', 0, 10), isCode('NOT_FOUND'));
    });

    test('putFile streams a local file into an object', async (t) => {
      const b = await open(t, kind);
      const dir = await tempDir(t);
      const data = randomBytes(3 << 20);
      await writeFile(join(dir, 'p.tmp'), data);
      await b.putFile('packs/cd/cdef.pack', join(dir, 'p.tmp'));
      assert.equal(sha(await b.get('packs/cd/cdef.pack')), sha(data));
    });

    // A folder lists 1005 keys; S3 (where a small PUT costs 10-70 ms on this test server) lists
    // 60 keys in pages of 25, the same code path as S3's 1000-key pages (bench/measure: 1000+).
    test('list streams all keys, page by page, and only under the prefix', async (t) => {
      const b = await open(t, kind, { pageKeys: 25 });
      const keys = Array.from({ length: kind.name === 's3' ? 60 : 1005 }, (_, i) => `index/${String(i).padStart(4, '0')}`);
      const body = Buffer.from('x');
      for (let i = 0; i < keys.length; i += 32) await Promise.all(keys.slice(i, i + 32).map((k) => b.put(k, body)));
      await b.put('indexed.json', body);
      await b.put('packs/00/p.pack', body);
      const before = b.requestCounts().list;
      const listed: string[] = [];
      for await (const o of b.list('index/')) { assert.equal(o.size, 1); listed.push(o.key); }
      assert.deepEqual(listed.sort(), keys);
      if (kind.name === 's3') assert.equal(b.requestCounts().list - before, 3, 'three pages of at most 25 keys');
      const top: string[] = [];
      for await (const o of b.list('index')) top.push(o.key);
      assert.equal(top.length, keys.length + 1, 'a prefix that is not a folder matches names too');
      const all: string[] = [];
      for await (const o of b.list('')) all.push(o.key);
      assert.equal(all.length, keys.length + 2);
    });

    test('delete is idempotent and deleteMany removes just the keys named', async (t) => {
      const b = await open(t, kind);
      for (const k of ['locks/a.lock', 'locks/b.lock', 'locks/c.lock', 'locks/d.lock']) await b.put(k, Buffer.from(k));
      await b.delete('locks/a.lock');
      await b.delete('locks/a.lock');
      await b.deleteMany(['locks/b.lock', 'locks/c.lock', 'locks/zz.lock']);
      const left: string[] = [];
      for await (const o of b.list('locks/')) left.push(o.key);
      assert.deepEqual(left, ['locks/d.lock']);
    });

    test('each operation costs the requests it names', async (t) => {
      const b = await open(t, kind);
      const start = b.requestCounts();
      await b.put('config.json', Buffer.from('{}'));
      await b.get('config.json');
      await b.getRange('config.json', 0, 1);
      await b.head('config.json');
      for await (const o of b.list('snapshots/')) assert.fail(`unexpected ${o.key}`);
      await b.delete('config.json');
      const end = b.requestCounts();
      const diff = Object.fromEntries(Object.entries(end).map(([k, v]) => [k, v - start[k as keyof typeof start]]));
      assert.deepEqual(diff, { put: 1, get: 2, head: 1, list: 1, delete: 1, retries: 0 });
    });

    test('a writer killed in the middle of a put leaves no object, and the old one intact', async (t) => {
      const repo = await kind.repo(t);
      const dir = await tempDir(t);
      const big = join(dir, 'big');
      await writeFile(big, randomBytes(64 << 20));
      const b = await openBackend(repo);
      t.after(() => b.close());
      await b.put('packs/ee/old.pack', Buffer.from('old'));
      const child = spawn(process.execPath, ['--input-type=module', '-e', `
        const { openBackend } = await import(process.argv[1]);
        const b = await openBackend(process.argv[2]);
        process.stdout.write('open\\n');
        await b.putFile('packs/ee/old.pack', process.argv[3]);
        process.stdout.write('done\\n');`, openModule, repo, big], { stdio: ['ignore', 'pipe', 'inherit'] });
      await once(child.stdout, 'data');
      await sleep(kind.name === 'folder' ? 30 : 150);
      child.kill('SIGKILL');
      await once(child, 'exit');
      assert.equal((await b.get('packs/ee/old.pack')).toString(), 'old');
      const seen: string[] = [];
      for await (const o of b.list('packs/')) seen.push(o.key);
      assert.deepEqual(seen, ['packs/ee/old.pack'], 'no temporary object is listed');
    });

    if (kind.name === 'folder') {
      test('folders are created 0700 and objects 0600', async (t) => {
        const root = await kind.repo(t);
        const b = new FolderBackend(root);
        await b.put('packs/ab/x.pack', Buffer.from('x'));
        assert.equal((await stat(join(root, 'packs'))).mode & 0o777, 0o700);
        assert.equal((await stat(join(root, 'packs/ab'))).mode & 0o777, 0o700);
        assert.equal((await stat(join(root, 'packs/ab/x.pack'))).mode & 0o777, 0o600);
      });
    }
  });
}
