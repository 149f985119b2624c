// ls output: mode strings as ls(1) writes them, long lines with owner names or ids, symlink
// targets and device numbers, and the JSON object with both escaped text and exact bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TreeEntry } from '../../src/tree/entry.js';
import { formatListingLine, listingJson, modeString } from '../../src/ui/formatListing.js';

function entry(extra: Partial<TreeEntry>): TreeEntry {
  return { name: Buffer.from('x'), kind: 'file', mode: 0o100644, uid: 1000, gid: 1000, size: 5, mtimeNs: 1_600_000_000_000_000_000n,
    atimeNs: 0n, ctimeNs: 0n, ino: 1, nlink: 1, ...extra };
}

test('mode strings show type, permissions and the set-id and sticky bits', () => {
  assert.equal(modeString(entry({})), '-rw-r--r--');
  assert.equal(modeString(entry({ kind: 'dir', mode: 0o41777 })), 'drwxrwxrwt');
  assert.equal(modeString(entry({ mode: 0o104755 })), '-rwsr-xr-x');
  assert.equal(modeString(entry({ mode: 0o102644 })), '-rw-r-Sr--');
  assert.equal(modeString(entry({ kind: 'dir', mode: 0o41700 })), 'drwx-----T');
  assert.equal(modeString(entry({ kind: 'symlink', mode: 0o120777 })), 'lrwxrwxrwx');
  assert.equal(modeString(entry({ kind: 'chardev', mode: 0o20666 })), 'crw-rw-rw-');
});

test('long lines: owner names or ids, symlink targets, device numbers, escaped names', () => {
  const item = (e: TreeEntry) => ({ entry: e, path: Buffer.concat([Buffer.from('/'), e.name]), depth: 0 });
  const named = formatListingLine(item(entry({ user: 'alice', group: 'staff' })), Buffer.from('x'), true);
  assert.match(named, /^-rw-r--r-- alice\s+staff\s+5 \d{4}-\d\d-\d\d \d\d:\d\d x\n$/);
  assert.match(formatListingLine(item(entry({})), Buffer.from('x'), true), /^-rw-r--r-- 1000\s+1000\s+5 /);
  const link = entry({ kind: 'symlink', mode: 0o120777, name: Buffer.from('l'), target: Buffer.from([0x2f, 0xff]) });
  assert.match(formatListingLine(item(link), link.name, true), / l -> \/\\xff\n$/);
  const dev = entry({ kind: 'chardev', mode: 0o20666, size: 0, rdev: (1 << 8) | 3 });
  assert.match(formatListingLine(item(dev), dev.name, true), / 1, 3 /);
  assert.equal(formatListingLine(item(entry({ name: Buffer.from([0xff]) })), Buffer.from([0x64, 0x2f, 0xff]), false), 'd/\\xff\n');
});

test('JSON gives escaped text and exact bytes', () => {
  const e = entry({ name: Buffer.from([0x61, 0xff]), linkId: '1:2', xattrs: [['user.a', Buffer.from('v')]] });
  const json = listingJson({ entry: e, path: Buffer.from([0x2f, 0x61, 0xff]), depth: 0 });
  assert.equal(json.name, 'a\\xff');
  assert.equal(json.name_base64, Buffer.from([0x61, 0xff]).toString('base64'));
  assert.equal(json.path, '/a\\xff');
  assert.equal(json.link_id, '1:2');
  assert.deepEqual(json.xattrs, ['user.a']);
  assert.equal(json.mtime, '2020-09-13T12:26:40.000Z');
});
