// The index check reads a file that another process may be committing to (a writable mount, a
// second ingest). A sound index must never be called damaged because a commit landed between two
// of the check's reads: CI once saw "meta page 0 names root page 8, outside the file's 5 pages".
// This file is also the writer: run with INDEX_RACE_WRITER=DIR it commits to DIR until killed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open as openLmdb } from 'lmdb';
import { checkIndexFile } from '../../src/store/index/checkIndexFile.js';
import { tempDir } from '../helpers/tempDir.js';

const writerDir = process.env.INDEX_RACE_WRITER;

if (writerDir) {
  const db = openLmdb<Buffer, Buffer>({ path: writerDir, keyEncoding: 'binary', encoding: 'binary', compression: false });
  for (;;) {
    await db.transaction(() => {
      for (let i = 0; i < 20; i++) db.put(randomBytes(32), randomBytes(24));
    });
  }
} else {
  test('a sound index that another process keeps committing to is never called damaged', async (t) => {
    const dir = join(await tempDir(t), 'index');
    const writer = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, INDEX_RACE_WRITER: dir }, stdio: 'inherit' });
    t.after(() => writer.kill('SIGKILL'));
    while (!existsSync(join(dir, 'data.mdb'))) await new Promise((r) => setTimeout(r, 10));
    const problems = new Set<string>();
    const until = Date.now() + 4000;
    let checks = 0;
    while (Date.now() < until) {
      const problem = checkIndexFile(dir);
      if (problem) problems.add(problem);
      checks++;
      if (checks % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(writer.exitCode, null, 'the writer kept running');
    assert.ok(checks > 100, `only ${checks} checks ran`);
    assert.deepEqual([...problems], []);
  });
}
