// The gear table derived from the MD5 rule matches the spot values of fastcdc-rs's literal table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gearTable } from '../../src/chunker/index.js';

test('gear table: MD5 rule gives the published entries', () => {
  const gear = gearTable();
  assert.equal(gear.length, 256);
  assert.equal(gear[0], 0x3b5d3c7d207e37dcn);
  assert.equal(gear[1], 0x784d68ba91123086n);
  assert.equal(gear[255], 0xaabd2b2a451504e1n);
  // GEAR_LS (built in wasm as GEAR << 1, top bit dropped) spot values from the README.
  const ls = (i: number) => (gear[i] << 1n) & 0xffffffffffffffffn;
  assert.equal(ls(0), 0x76ba78fa40fc6fb8n);
  assert.equal(ls(1), 0xf09ad1752224610cn);
  assert.equal(ls(255), 0x557a56548a2a09c2n);
  assert.equal(gear.filter((g) => g >> 63n === 1n).length, 131);
});
