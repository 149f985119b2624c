// --repo values: folders stay folders; s3:URL/BUCKET[/PREFIX] splits into endpoint, bucket and
// prefix; the S3 settings come from the environment with their documented defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatS3Location, parseRepoLocation } from '../../src/backend/parseRepoLocation.js';
import { s3SettingsFromEnv } from '../../src/backend/s3Settings.js';
import { DedupfsError } from '../../src/core/errors.js';

test('s3: locations split into endpoint, bucket and prefix, and format back', () => {
  const cases: Array<[string, string, string, string]> = [
    ['s3:http://127.0.0.1:9000/backups/hosts', 'http://127.0.0.1:9000', 'backups', 'hosts'],
    ['s3:https://s3.example.net/backups', 'https://s3.example.net', 'backups', ''],
    ['s3:https://s3.example.net/backups/', 'https://s3.example.net', 'backups', ''],
    ['s3:https://s3.example.net/backups/a/b/c/', 'https://s3.example.net', 'backups', 'a/b/c'],
    ['s3:s3.eu-west-1.amazonaws.com/backups/x', 'https://s3.eu-west-1.amazonaws.com', 'backups', 'x'],
    ['s3:HTTP://[::1]:9000/Backups_1/x', 'http://[::1]:9000', 'Backups_1', 'x'],
  ];
  for (const [text, endpoint, bucket, prefix] of cases) {
    const loc = parseRepoLocation(text);
    assert.deepEqual(loc, { kind: 's3', endpoint, bucket, prefix }, text);
    assert.deepEqual(parseRepoLocation(formatS3Location(loc as Extract<typeof loc, { kind: 's3' }>)), loc);
  }
});

test('anything else is a folder, including names that merely contain s3', () => {
  for (const text of ['/srv/backups', 'backups', './s3:x', 'S3:http://h/b', '/tmp/s3:http://h/b']) {
    assert.deepEqual(parseRepoLocation(text), { kind: 'folder', path: text });
  }
});

test('malformed s3: locations are usage errors naming the reason', () => {
  const reasons: Record<string, RegExp> = {
    's3:': /no host|not a URL/,
    's3:http://h': /no bucket/,
    's3:http://h/b': /bucket name "b" is not valid/,
    's3:http://h/bucket/../other': /"\." or "\.\." part/,
    's3:http://h/bucket/%2E%2E/x': /"\." or "\.\." part/,
    's3:http://h/bucket/./x': /"\." or "\.\." part/,
    's3:http://h/bucket/a//b': /prefix has an empty/,
    's3:file:///bucket': /scheme file:/,
    's3:http://key:secret@h/bucket': /credentials do not belong/,
    's3:http://h/bucket#x': /query or fragment/,
    's3:http://h/bucket/a%zz': /bad %-escape/,
  };
  for (const [text, why] of Object.entries(reasons)) {
    assert.throws(() => parseRepoLocation(text), (err) => err instanceof DedupfsError && err.code === 'USAGE' && why.test(err.message), text);
  }
});

test('S3 settings: path style unless on AWS, CA file, insecure, connections, region fallback', () => {
  assert.deepEqual(s3SettingsFromEnv('http://127.0.0.1:9000', {}), { pathStyle: true, caFile: undefined, insecure: false, concurrency: 4, region: undefined });
  assert.equal(s3SettingsFromEnv('https://s3.eu-west-1.amazonaws.com', {}).pathStyle, false);
  assert.equal(s3SettingsFromEnv('https://s3.amazonaws.com', { DEDUPFS_S3_PATH_STYLE: 'yes' }).pathStyle, true);
  assert.equal(s3SettingsFromEnv('http://h', { DEDUPFS_S3_PATH_STYLE: '0' }).pathStyle, false);
  assert.equal(s3SettingsFromEnv('http://h', { AWS_CA_BUNDLE: '/a.pem' }).caFile, '/a.pem');
  assert.equal(s3SettingsFromEnv('http://h', { AWS_CA_BUNDLE: '/a.pem', DEDUPFS_S3_CA_FILE: '/b.pem' }).caFile, '/b.pem');
  assert.equal(s3SettingsFromEnv('http://h', { DEDUPFS_S3_INSECURE: '1' }).insecure, true);
  assert.equal(s3SettingsFromEnv('http://h', { DEDUPFS_S3_CONNECTIONS: '8' }).concurrency, 8);
  assert.equal(s3SettingsFromEnv('http://h', { AWS_DEFAULT_REGION: 'eu-west-1' }).region, 'eu-west-1');
  assert.equal(s3SettingsFromEnv('http://h', { AWS_DEFAULT_REGION: 'eu-west-1', AWS_REGION: 'us-west-2' }).region, 'us-west-2');
  for (const env of [{ DEDUPFS_S3_PATH_STYLE: 'maybe' }, { DEDUPFS_S3_CONNECTIONS: '0' }, { DEDUPFS_S3_CONNECTIONS: 'x' }]) {
    assert.throws(() => s3SettingsFromEnv('http://h', env), (err) => err instanceof DedupfsError && err.code === 'USAGE', JSON.stringify(env));
  }
});
