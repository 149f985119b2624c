// kill -9 of an ingest into a bucket while it uploads packs: no snapshot names a pack that is
// not there, check passes, and the next ingest stores what is missing and succeeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { openBackend } from '../../src/backend/openBackend.js';
import { CLI_PATH } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { bucketRepo, contentOf, host, ok, skipS3 } from './bucketRepo.js';

test('an ingest killed mid-upload leaves no snapshot naming a missing pack', { skip: skipS3 }, async (t) => {
  const repo = await bucketRepo(t);
  const a = await host(t, repo);
  await ok(a, ['init', '-q', '--encryption', 'none']);
  const src = await tempDir(t);
  for (let i = 0; i < 8; i++) await writeFile(join(src, `part${i}.bin`), randomBytes(8 << 20));

  const child = spawn(process.execPath, [CLI_PATH, 'ingest', '-q', src], {
    env: { ...process.env, DEDUPFS_REPO: repo, XDG_CACHE_HOME: a.cache, DEDUPFS_S3_CONNECTIONS: '1' }, stdio: 'ignore',
  });
  const exited = once(child, 'exit');
  const backend = await openBackend(repo);
  t.after(() => backend.close());
  // Kill as soon as the first pack is whole in the bucket, while the others are on their way.
  for (let seen = 0; !seen && child.exitCode === null; await sleep(20)) {
    for await (const _ of backend.list('packs/')) seen++;
  }
  child.kill('SIGKILL');
  const [, signal] = await exited;
  assert.equal(signal, 'SIGKILL', 'the ingest was killed before it finished');
  assert.deepEqual(JSON.parse((await ok(a, ['snapshots', '--json'])).stdout), []);

  const check = await a.run(['check']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  // The lock of the killed ingest stays until it is stale; the next ingest is shared, so it goes on.
  const next = JSON.parse((await ok(a, ['ingest', '--json', src])).stdout);
  assert.ok(next.added.blocks > 0);
  const out = join(await tempDir(t), 'out');
  await ok(a, ['restore', '-q', 'latest', out]);
  assert.deepEqual(await contentOf(out), await contentOf(src));
  const after = await a.run(['check', '--read-data']);
  assert.equal(after.code, 0, after.stdout + after.stderr);
  // gc may not run while the killed ingest's lock is there: unlock --all clears it first.
  await ok(a, ['unlock', '-q', '--all']);
  const gc = JSON.parse((await ok(a, ['gc', '--json'])).stdout);
  assert.ok(gc.result.deletedPacks >= 1, 'the orphaned pack goes');
  const last = await a.run(['check', '--read-data']);
  assert.equal(last.code, 0, last.stdout + last.stderr);
});
