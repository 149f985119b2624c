// Keyed addresses and the keyed gear table: deterministic for one repository, unrelated across
// repositories and to the unkeyed hash and table, and a table fit for FastCDC (distinct,
// balanced entries).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { blake3 } from '@napi-rs/blake-hash';
import { gearTable } from '../../src/chunker/gearTable.js';
import { deriveGearTable } from '../../src/crypto/deriveGearTable.js';
import { keyedHashFunction } from '../../src/crypto/keyedHashFunction.js';

const keyA = Buffer.alloc(32, 0xa1); // fixed keys: the test is the same every run
const keyB = Buffer.alloc(32, 0xb2);

test('keyed addresses: 32 bytes, equal for equal bytes under one key, different under another key and from plain BLAKE3', () => {
  const a = keyedHashFunction(keyA);
  const data = randomBytes(70000);
  assert.equal(a(data).length, 32);
  assert.ok(a(data).equals(keyedHashFunction(Buffer.from(keyA))(Buffer.from(data))));
  assert.ok(!a(data).equals(keyedHashFunction(keyB)(data)));
  assert.ok(!a(data).equals(blake3(data)));
  assert.ok(!a(data).equals(a(Buffer.concat([data, Buffer.from([0])]))));
  assert.ok(!a(Buffer.alloc(0)).equals(blake3(Buffer.alloc(0))));
});

test('the gear table: 256 distinct 64-bit entries, deterministic per key, unrelated to the published table', () => {
  const t = deriveGearTable(keyA);
  assert.equal(t.length, 256);
  assert.deepEqual([...t], [...deriveGearTable(Buffer.from(keyA))]);
  assert.equal(new Set(t).size, 256);
  const other = deriveGearTable(keyB);
  const published = gearTable();
  for (let i = 0; i < 256; i++) {
    assert.notEqual(t[i], other[i]);
    assert.notEqual(t[i], published[i]);
  }
  // The table must not be the address key's output: the two jobs have separate derived keys.
  const first = Buffer.alloc(8);
  first.writeBigUInt64BE(t[0]);
  assert.ok(!keyedHashFunction(keyA)(Buffer.alloc(4)).subarray(0, 8).equals(first));
  // Every bit position is set in about half the entries (FastCDC's masks test high bits).
  for (let bit = 0n; bit < 64n; bit++) {
    const ones = [...t].filter((v) => (v >> bit) & 1n).length;
    assert.ok(ones > 90 && ones < 166, `bit ${bit} is set in ${ones} of 256 entries`);
  }
});
