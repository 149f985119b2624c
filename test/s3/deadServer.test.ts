// An S3 server that dies in the middle of an ingest (played by a pass-through proxy in front of
// the real server that stops listening once the first pack has landed): the ingest retries,
// then gives one clear line and exit status 1; nothing names a missing pack, and the next run
// (server back) succeeds and loses nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { openBackend } from '../../src/backend/openBackend.js';
import { formatS3Location } from '../../src/backend/parseRepoLocation.js';
import { CLI_PATH } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { forwardingProxy, testBucket } from '../backend/s3TestServer.js';
import { contentOf, host, ok, skipS3 } from './bucketRepo.js';

test('a server that dies mid-ingest gives one line; the next ingest succeeds', { skip: skipS3 }, async (t) => {
  const loc = await testBucket(t, 'repo');
  const repo = formatS3Location(loc);
  const proxy = await forwardingProxy(t);
  const viaProxy = formatS3Location({ ...loc, endpoint: proxy.endpoint });
  const a = await host(t, repo);
  await ok(a, ['init', '-q', '--encryption', 'none']);
  const src = await tempDir(t);
  for (let i = 0; i < 6; i++) await writeFile(join(src, `part${i}.bin`), randomBytes(8 << 20));

  const child = spawn(process.execPath, [CLI_PATH, 'ingest', '-q', src], {
    env: { ...process.env, DEDUPFS_REPO: viaProxy, XDG_CACHE_HOME: a.cache, DEDUPFS_S3_CONNECTIONS: '1' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = once(child, 'exit');
  const backend = await openBackend(repo);
  t.after(() => backend.close());
  for (let seen = 0; !seen && child.exitCode === null; await sleep(20)) {
    for await (const _ of backend.list('packs/')) seen++;
  }
  proxy.close();
  const [code] = await exited;
  assert.equal(code, 1, stderr);
  assert.match(stderr, /^dedupfs: cannot reach S3 server http:\/\/127\.0\.0\.1:\d+ \(ECONN\w+ after \d+ attempts\)\n/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');

  // The server is back (the real endpoint): nothing names a missing pack, and the ingest runs.
  assert.deepEqual(JSON.parse((await ok(a, ['snapshots', '--json'])).stdout), []);
  const check = await a.run(['check']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  await ok(a, ['ingest', '-q', src]);
  const out = join(await tempDir(t), 'out');
  await ok(a, ['restore', '-q', 'latest', out]);
  assert.deepEqual(await contentOf(out), await contentOf(src));
});
