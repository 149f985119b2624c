// parseSize and formatBytes (src/core/size.ts): suffixes are 1024-based and case-insensitive,
// anything else is a USAGE error with a fixed message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, parseSize } from '../../src/core/size.js';

test('parseSize: plain bytes and 1024-based suffixes in any case', () => {
  const cases: Array<[string, number]> = [
    ['0', 0], ['65535', 65535], ['512b', 512], ['512B', 512],
    ['16K', 16384], ['16k', 16384], ['16KB', 16384], ['16kib', 16384], ['16KiB', 16384],
    ['1M', 1048576], ['1MB', 1048576], ['1MiB', 1048576], ['1mib', 1048576],
    ['2G', 2 ** 31], ['2GiB', 2 ** 31], ['1T', 2 ** 40], ['3TiB', 3 * 2 ** 40], [' 64K ', 65536], ['64 K', 65536],
  ];
  for (const [text, bytes] of cases) assert.equal(parseSize(text), bytes, text);
});

test('parseSize: bad sizes throw USAGE naming the value', () => {
  for (const bad of ['', 'xyz', 'K', '1.5M', '-1', '+1', '1e3', '16Q', '16KK', '1 M B', '0x10', '99999999999T']) {
    assert.throws(() => parseSize(bad), { code: 'USAGE', message: `invalid size '${bad}' (use e.g. 64K, 1M, 1MiB)` }, bad);
  }
});

test('formatBytes: binary units, one decimal at most', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1 KiB');
  assert.equal(formatBytes(1536 * 1024), '1.5 MiB');
  assert.equal(formatBytes(65536), '64 KiB');
  assert.equal(formatBytes(109466), '106.9 KiB');
  assert.equal(formatBytes(1048575), '1 MiB');
  assert.equal(formatBytes(5 * 2 ** 40), '5 TiB');
});
