// Each way an S3 repository can be set up wrong gives one DedupfsError line that names the
// problem and what to do, quickly, and writes nothing: a malformed s3: URL, missing credentials,
// a wrong secret, a missing bucket, an endpoint nobody answers on, and TLS trouble (a plain-http
// port, a certificate of our own CA, which DEDUPFS_S3_CA_FILE or DEDUPFS_S3_INSECURE accept).
// Against the real server (behind a TLS proxy for the certificate case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { openBackend } from '../../src/backend/openBackend.js';
import { formatS3Location } from '../../src/backend/parseRepoLocation.js';
import { DedupfsError } from '../../src/core/errors.js';
import { forwardingProxy, S3_ENDPOINT, skipS3, testBucket } from './s3TestServer.js';
import { runCommand } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

// Runs `fn` with some environment variables changed (the SDK reads credentials from process.env).
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>): void => {
    for (const [k, value] of Object.entries(v)) if (value === undefined) delete process.env[k]; else process.env[k] = value;
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

// Credentials for the tests that need no server, so they run without one too.
const SOME_KEYS = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'key', AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'secret' };

async function openFailure(repo: string): Promise<{ err: DedupfsError; ms: number }> {
  const start = Date.now();
  try {
    const b = await openBackend(repo);
    await b.close();
  } catch (err) {
    assert.ok(err instanceof DedupfsError, `not a DedupfsError: ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    assert.ok(err.hint, 'with a hint');
    return { err, ms: Date.now() - start };
  }
  assert.fail(`${repo} opened`);
}

async function objectCount(repo: string): Promise<number> {
  const b = await openBackend(repo);
  let n = 0;
  for await (const o of b.list('')) n += o.size >= 0 ? 1 : 0;
  await b.close();
  return n;
}

test('a malformed s3: URL names the URL and the form to write', async () => {
  for (const repo of ['s3:', 's3:http://', 's3:http://127.0.0.1:9000', 's3:http://127.0.0.1:9000/', 's3:ftp://h/b', 's3:http://u:p@h/b', 's3:http://h/b//p', 's3:http://h/b?x=1', 's3:http://h/a']) {
    const { err } = await openFailure(repo);
    assert.equal(err.code, 'USAGE', repo);
    assert.equal(err.data?.reason, 'malformed-url', repo);
    assert.match(err.message, /^malformed S3 repository /);
    assert.match(err.hint!, /s3:http\(s\):\/\/HOST\[:PORT\]\/BUCKET\[\/PREFIX\]/);
  }
});

test('missing credentials say which variables to set', { skip: skipS3 }, async (t) => {
  const loc = await testBucket(t);
  const { err, ms } = await withEnv({
    AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined,
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config', AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined, AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  }, () => openFailure(formatS3Location(loc)));
  assert.equal(err.code, 'USAGE');
  assert.equal(err.data?.reason, 'no-credentials');
  assert.match(err.hint!, /AWS_ACCESS_KEY_ID/);
  assert.ok(ms < 5000, `took ${ms} ms`);
});

test('a wrong secret is named as refused credentials, and nothing is written', { skip: skipS3 }, async (t) => {
  const loc = await testBucket(t);
  const { err } = await withEnv({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' }, () => openFailure(formatS3Location(loc)));
  assert.equal(err.code, 'USAGE');
  assert.equal(err.data?.reason, 'credentials-refused');
  assert.match(err.message, new RegExp(`refused the credentials for bucket ${loc.bucket}`));
  assert.equal(await objectCount(formatS3Location(loc)), 0);
});

test('a missing bucket is no repository, and is not created', { skip: skipS3 }, async () => {
  const repo = `s3:${S3_ENDPOINT}/dedupfs-test-no-such-bucket/x`;
  const { err } = await openFailure(repo);
  assert.equal(err.code, 'NO_REPOSITORY');
  assert.equal(err.data?.reason, 'no-bucket');
  assert.match(err.message, /bucket dedupfs-test-no-such-bucket does not exist on http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await openFailure(repo)).err.code, 'NO_REPOSITORY', 'still missing');
});

test('an endpoint nobody answers on fails within seconds, not minutes', async () => {
  const { err, ms } = await withEnv(SOME_KEYS, () => openFailure('s3:http://127.0.0.1:1/backups/hosts'));
  assert.equal(err.code, 'IO');
  assert.equal(err.data?.reason, 'unreachable');
  assert.match(err.message, /^cannot reach S3 server http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED/);
  assert.ok(ms < 3000, `took ${ms} ms`);
});

test('https to a server that speaks plain http is named a TLS failure', { skip: skipS3 }, async () => {
  const { err } = await openFailure(`s3:${S3_ENDPOINT!.replace(/^http:/, 'https:')}/backups`);
  assert.equal(err.code, 'IO');
  assert.equal(err.data?.reason, 'tls');
  assert.match(err.message, /^TLS with https:\/\/127\.0\.0\.1:\d+ failed \(EPROTO\)$/);
  assert.match(err.hint!, /DEDUPFS_S3_CA_FILE/);
});

test('https with a certificate of our own CA: refused, trusted with DEDUPFS_S3_CA_FILE, or unchecked with DEDUPFS_S3_INSECURE', { skip: skipS3 }, async (t) => {
  const dir = await tempDir(t);
  const r = await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
  assert.equal(r.code, 0, r.stderr);
  const tls = { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) };
  const proxy = await forwardingProxy(t, { tls });
  const loc = await testBucket(t);
  const repo = formatS3Location({ ...loc, endpoint: proxy.endpoint });
  const { err } = await openFailure(repo);
  assert.equal(err.data?.reason, 'tls');
  assert.match(err.message, /failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)$/);
  for (const env of [{ DEDUPFS_S3_CA_FILE: join(dir, 'cert.pem') }, { DEDUPFS_S3_INSECURE: '1' }]) {
    const b = await openBackend(repo, { env: { ...process.env, ...env } });
    await b.put('config.json', Buffer.from('{}'));
    assert.equal((await b.get('config.json')).toString(), '{}');
    await b.close();
  }
});

test('a server that accepts connections and never answers fails at the open timeout', async (t) => {
  const silent = createNetServer(() => undefined);
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  t.after(async () => { silent.close(); });
  const start = Date.now();
  const err = await withEnv(SOME_KEYS, () => openBackend(`s3:http://127.0.0.1:${(silent.address() as AddressInfo).port}/backups`, { s3: { openTimeoutMs: 500 } })
    .then(() => undefined, (e: unknown) => e));
  assert.ok(err instanceof DedupfsError, String(err));
  assert.equal(err.data?.reason, 'unreachable');
  assert.match(err.message, /after 2 attempts\)$/);
  assert.ok(Date.now() - start < 3000, `took ${Date.now() - start} ms`);
});
