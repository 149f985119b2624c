// Temporary failures of a real S3 server are retried with backoff, counted, and invisible in
// the result: throttling (503 SlowDown, 429) injected by a pass-through proxy in front of the
// server, and the server's proxy process killed mid-run and started again. A server that stays
// dead gives one line after the retry budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { openBackend } from '../../src/backend/openBackend.js';
import { formatS3Location } from '../../src/backend/parseRepoLocation.js';
import { DedupfsError } from '../../src/core/errors.js';
import { forwardingProxy, serverScript, skipS3, testBucket } from './s3TestServer.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('throttling (503 SlowDown, 429) is retried with backoff and counted', { skip: skipS3 }, async (t) => {
  const loc = await testBucket(t);
  const proxy = await forwardingProxy(t, { intercept: (n) => (n % 3 === 0 ? 503 : n % 7 === 0 ? 429 : undefined) });
  const b = await openBackend(formatS3Location({ ...loc, endpoint: proxy.endpoint }), { s3: { retry: { baseMs: 20 } } });
  t.after(() => b.close());
  const data = Array.from({ length: 12 }, () => randomBytes(200_000));
  await Promise.all(data.map((d, i) => b.put(`packs/00/${i}.pack`, d)));
  for (let i = 0; i < data.length; i++) assert.equal(sha(await b.get(`packs/00/${i}.pack`)), sha(data[i]!));
  const counts = b.requestCounts();
  assert.ok(proxy.injected.includes(503) && proxy.injected.includes(429));
  assert.equal(counts.retries, proxy.injected.length, 'every throttled request was sent again');
  assert.equal(counts.put + counts.get + counts.head + counts.list + counts.delete, proxy.received(), 'every request is counted');
});

test('the server killed mid-run and started again: every put lands, by retries', { skip: skipS3 }, async (t) => {
  const loc = await testBucket(t);
  // A budget of ~50 s: the proxy takes 2-10 s to start again on a busy two-core machine.
  const b = await openBackend(formatS3Location(loc), { s3: { retry: { attempts: 14 } } });
  t.after(() => b.close());
  const data = Array.from({ length: 10 }, () => randomBytes(1 << 20));
  let restart: Promise<void> | undefined;
  try {
    for (let i = 0; i < data.length; i++) {
      if (i === 3) {
        await serverScript('stop', 'proxy');
        restart = sleep(1000).then(() => serverScript('start'));
      }
      await b.put(`packs/01/${i}.pack`, data[i]!);
    }
  } finally {
    await restart;
  }
  assert.ok(b.requestCounts().retries > 0, 'some request found the server gone');
  for (let i = 0; i < data.length; i++) assert.equal(sha(await b.get(`packs/01/${i}.pack`)), sha(data[i]!));
});

test('a server that stays dead gives one line once the retry budget is spent', { skip: skipS3 }, async (t) => {
  const loc = await testBucket(t);
  const b = await openBackend(formatS3Location(loc), { s3: { retry: { attempts: 4, baseMs: 50 } } });
  t.after(() => b.close());
  await b.put('config.json', Buffer.from('{}'));
  await serverScript('stop', 'proxy');
  try {
    const start = Date.now();
    const err = await b.put('snapshots/s.json', Buffer.from('{}')).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof DedupfsError, String(err));
    assert.equal(err.code, 'IO');
    assert.equal(err.data?.reason, 'unreachable');
    assert.match(err.message, /^cannot reach S3 server http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED after 4 attempts\)$/);
    assert.ok(Date.now() - start < 2000);
    assert.equal(b.requestCounts().retries, 3);
  } finally {
    await serverScript('start');
  }
  assert.equal(await b.head('snapshots/s.json'), undefined, 'the failed put left nothing');
});
