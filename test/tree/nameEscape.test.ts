// Names as text and back: every byte string survives escapeName -> unescapeName, valid UTF-8
// passes through, and what a terminal could act on (control bytes, C1, invalid bytes) is escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { escapeName, unescapeName } from '../../src/tree/nameEscape.js';

test('valid UTF-8 passes through; invalid bytes, controls and backslashes are escaped', () => {
  assert.equal(escapeName(Buffer.from('hello.txt')), 'hello.txt');
  assert.equal(escapeName(Buffer.from('héllo wörld ✓ 😀')), 'héllo wörld ✓ 😀');
  assert.equal(escapeName(Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x2e])), 'fo\\xff\\xfe.');
  assert.equal(escapeName(Buffer.from('a\\b')), 'a\\\\b');
  assert.equal(escapeName(Buffer.from('a\nb\x1b[2J\x7f')), 'a\\x0ab\\x1b[2J\\x7f');
  assert.equal(escapeName(Buffer.from('\u0085')), '\\xc2\\x85');
  // Overlong encodings, surrogates and truncated sequences are not valid UTF-8.
  assert.equal(escapeName(Buffer.from([0xc0, 0xaf])), '\\xc0\\xaf');
  assert.equal(escapeName(Buffer.from([0xed, 0xa0, 0x80])), '\\xed\\xa0\\x80');
  assert.equal(escapeName(Buffer.from([0x61, 0xe2, 0x9c])), 'a\\xe2\\x9c');
});

test('unescapeName inverts escapeName for any bytes', () => {
  for (let i = 0; i < 2000; i++) {
    const name = randomBytes(1 + (i % 40));
    assert.deepEqual(unescapeName(escapeName(name)), name, name.toString('hex'));
  }
  assert.deepEqual(unescapeName('plain'), Buffer.from('plain'));
  assert.deepEqual(unescapeName('a\\qb'), Buffer.from('a\\qb'), 'a lone backslash stays');
});
