// Names as the mount shows them: valid UTF-8 unchanged, other bytes as \xHH, backslashes
// doubled; unescapeName (src/tree/nameEscape.ts) undoes it for every byte string. And short snapshot ids stay unique.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { showLabel, showName } from '../../src/mount/shownName.js';
import { shortIds } from '../../src/mount/shortIds.js';
import { unescapeName } from '../../src/tree/nameEscape.js';

test('valid UTF-8 names are shown as they are, control characters included', () => {
  for (const name of ['hello.txt', 'ünïcödé ✓', '日本語', '😀 emoji', 'tab\there', 'new\nline', '\u007f']) {
    assert.equal(showName(Buffer.from(name)), name);
  }
});

test('bytes that are not UTF-8 become \\xHH and a backslash is doubled', () => {
  assert.equal(showName(Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x2e, 0x62, 0x69, 0x6e])), 'fo\\xff\\xfe.bin');
  assert.equal(showName(Buffer.from('a\\b')), 'a\\\\b');
  assert.equal(showName(Buffer.from('a\\xff')), 'a\\\\xff');
  assert.equal(showName(Buffer.from([0xc3])), '\\xc3', 'a truncated sequence');
  assert.equal(showName(Buffer.from([0xc0, 0x80])), '\\xc0\\x80', 'an overlong NUL');
  assert.equal(showName(Buffer.from([0xed, 0xa0, 0x80])), '\\xed\\xa0\\x80', 'a UTF-16 surrogate');
  assert.equal(showName(Buffer.from([0xf4, 0x90, 0x80, 0x80])), '\\xf4\\x90\\x80\\x80', 'past U+10FFFF');
  assert.equal(showName(Buffer.concat([Buffer.from('é'), Buffer.from([0x80]), Buffer.from('é')])), 'é\\x80é');
});

test('unescapeName (the path syntax of ls and restore) turns every shown name back into its bytes', () => {
  for (let i = 0; i < 5000; i++) {
    const name = randomBytes(randomInt(1, 40));
    const shown = showName(name);
    assert.ok(!shown.includes('\ufffd') || name.includes(Buffer.from('\ufffd')), 'no byte is replaced by U+FFFD');
    assert.deepEqual(unescapeName(shown), name, name.toString('hex'));
  }
});

test('catalog labels escape slashes and dot names', () => {
  assert.equal(showLabel('web/1'), 'web\\x2f1');
  assert.equal(showLabel('.'), '\\x2e');
  assert.equal(showLabel('..'), '\\x2e\\x2e');
  assert.equal(unescapeName(showLabel('web/1')).toString(), 'web/1');
});

test('short ids are at least 8 hex digits and unique', () => {
  const ids = ['aaaaaaaa11', 'aaaaaaaa12', 'bbbbbbbbbbbb', 'aaaaaaab00'].map((s) => s.padEnd(64, '0'));
  assert.deepEqual(shortIds(ids), ['aaaaaaaa11', 'aaaaaaaa12', 'bbbbbbbb', 'aaaaaaab']);
  const many = Array.from({ length: 2000 }, () => randomBytes(32).toString('hex'));
  const short = shortIds(many);
  assert.equal(new Set(short).size, many.length);
  short.forEach((s, i) => assert.ok(many[i].startsWith(s) && s.length >= 8));
});
