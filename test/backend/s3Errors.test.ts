// Each way an S3 repository can be set up wrong gives one DedupfsError line that names the
// problem and what to do, quickly, and writes nothing: a malformed s3: URL, missing credentials,
// a wrong secret, a missing bucket and an endpoint nobody answers on. Against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBackend } from '../../src/backend/openBackend.js';
import { formatS3Location } from '../../src/backend/parseRepoLocation.js';
import { DedupfsError } from '../../src/core/errors.js';
import { S3_ENDPOINT, skipS3, testBucket } from './s3TestServer.js';

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
  const { err, ms } = await openFailure('s3:http://127.0.0.1:1/backups/hosts');
  assert.equal(err.code, 'IO');
  assert.equal(err.data?.reason, 'unreachable');
  assert.match(err.message, /^cannot reach S3 server http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED/);
  assert.ok(ms < 3000, `took ${ms} ms`);
});
