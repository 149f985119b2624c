// Sealed blocks and records: round trips, and the tamper matrix. Every changed, truncated,
// extended or swapped byte, and every envelope presented as another block or record, must fail
// with a damage code; a write-only key must seal but not open what only full keys read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DedupfsError } from '../../src/core/errors.js';
import { SEAL_OVERHEAD } from '../../src/crypto/envelope.js';
import { addGeneration, createKeyMaterial, writeOnlyView } from '../../src/crypto/keyMaterial.js';
import { Opener } from '../../src/crypto/opener.js';
import { Sealer } from '../../src/crypto/sealer.js';

const full = createKeyMaterial();
const address = randomBytes(32);
const data = randomBytes(65536);

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DedupfsError, `not a DedupfsError: ${err}`);
    return err.code;
  }
  return 'OPENED';
}

test('blocks and records round-trip, with SEAL_OVERHEAD bytes added', () => {
  const sealer = new Sealer(full);
  const opener = new Opener(full);
  const sealed = sealer.sealBlock(address, 0, data);
  assert.equal(sealed.length, data.length + SEAL_OVERHEAD);
  assert.ok(opener.openBlock(address, 0, sealed).equals(data));
  assert.equal(opener.openBlock(address, 1, sealer.sealBlock(address, 1, Buffer.alloc(0))).length, 0);
  for (const audience of ['readers', 'writers'] as const) {
    const rec = { type: 'snapshot', name: 'abc' };
    assert.equal(opener.openRecord(rec, sealer.sealRecord(rec, Buffer.from('{"x":1}'), audience)).toString(), '{"x":1}');
  }
  assert.equal(sealed.indexOf(data.subarray(0, 32)), -1, 'no plaintext run in the sealed bytes');
});

test('a flipped, truncated or extended byte anywhere is BLOCK_DAMAGED', () => {
  const sealed = new Sealer(full).sealBlock(address, 0, data.subarray(0, 1000));
  const opener = new Opener(full);
  // Every header byte (version, kind, generation, session tag, counter), and bytes of body and tag.
  const positions = [...Array(46).keys(), 46, 500, sealed.length - 17, sealed.length - 16, sealed.length - 1];
  for (const at of positions) {
    const bad = Buffer.from(sealed);
    bad[at] ^= 0x01;
    assert.equal(code(() => opener.openBlock(address, 0, bad)), 'BLOCK_DAMAGED', `flip at ${at}`);
  }
  for (const length of [0, 1, 45, 46, SEAL_OVERHEAD - 1, SEAL_OVERHEAD, sealed.length - 1]) {
    assert.equal(code(() => opener.openBlock(address, 0, sealed.subarray(0, length))), 'BLOCK_DAMAGED', `truncated to ${length}`);
  }
  assert.equal(code(() => opener.openBlock(address, 0, Buffer.concat([sealed, Buffer.from([0])]))), 'BLOCK_DAMAGED', 'extended');
  // A session tag that is no usable X25519 public key (zero, a small-order point) is damage, not a crash.
  for (const tag of [Buffer.alloc(32), Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])]) {
    const bad = Buffer.from(sealed);
    tag.copy(bad, 6);
    assert.equal(code(() => opener.openBlock(address, 0, bad)), 'BLOCK_DAMAGED', `session tag ${tag.toString('hex', 0, 2)}...`);
  }
  assert.equal(code(() => opener.openBlock(address, 0, sealed)), 'OPENED', 'the original still opens');
});

test('a block presented under another address or type, or swapped with another, does not open', () => {
  const sealer = new Sealer(full);
  const opener = new Opener(full);
  const other = randomBytes(32);
  const a = sealer.sealBlock(address, 0, data);
  const b = sealer.sealBlock(other, 0, data);
  assert.equal(code(() => opener.openBlock(other, 0, a)), 'BLOCK_DAMAGED', 'a under b\'s address');
  assert.equal(code(() => opener.openBlock(address, 0, b)), 'BLOCK_DAMAGED', 'b under a\'s address');
  assert.equal(code(() => opener.openBlock(address, 1, a)), 'BLOCK_DAMAGED', 'data block read as a tree');
  assert.equal(code(() => opener.openRecord({ type: 'snapshot', name: address.toString('hex') }, a)), 'REPO_DAMAGED', 'block read as a record');
});

test('a record renamed, retyped or read as a block does not open (REPO_DAMAGED)', () => {
  const sealer = new Sealer(full);
  const opener = new Opener(full);
  for (const audience of ['readers', 'writers'] as const) {
    const sealed = sealer.sealRecord({ type: 'snapshot', name: 'old' }, Buffer.from('record'), audience);
    assert.equal(code(() => opener.openRecord({ type: 'snapshot', name: 'new' }, sealed)), 'REPO_DAMAGED', `${audience}: replayed under a new name`);
    assert.equal(code(() => opener.openRecord({ type: 'pack-trailer', name: 'old' }, sealed)), 'REPO_DAMAGED', `${audience}: another record type`);
    assert.equal(code(() => opener.openBlock(address, 0, sealed)), 'BLOCK_DAMAGED', `${audience}: read as a block`);
    // Moving bytes between type and name must not give the same context.
    const shifted = sealer.sealRecord({ type: 'ab', name: 'c' }, Buffer.from('x'), audience);
    assert.equal(code(() => opener.openRecord({ type: 'a', name: 'bc' }, shifted)), 'REPO_DAMAGED', `${audience}: type/name boundary`);
    const cut = Buffer.from(sealed.subarray(0, sealed.length - 1));
    assert.equal(code(() => opener.openRecord({ type: 'snapshot', name: 'old' }, cut)), 'REPO_DAMAGED', `${audience}: truncated`);
  }
});

test('another repository\'s keys open nothing of this one', () => {
  const sealed = new Sealer(full).sealBlock(address, 0, data);
  const record = new Sealer(full).sealRecord({ type: 'index', name: '1' }, Buffer.from('i'), 'writers');
  const stranger = new Opener(createKeyMaterial());
  assert.equal(code(() => stranger.openBlock(address, 0, sealed)), 'BLOCK_DAMAGED');
  assert.equal(code(() => stranger.openRecord({ type: 'index', name: '1' }, record)), 'REPO_DAMAGED');
});

test('a write-only key seals blocks that full keys open, and opens only writer records', () => {
  const writeOnly = writeOnlyView(full);
  assert.ok(writeOnly.generations.every((g) => g.privateKey === undefined));
  const sealer = new Sealer(writeOnly);
  const block = sealer.sealBlock(address, 0, data);
  const readers = sealer.sealRecord({ type: 'snapshot', name: 's' }, Buffer.from('paths'), 'readers');
  const writers = sealer.sealRecord({ type: 'index', name: 'i' }, Buffer.from('addresses'), 'writers');
  const own = new Opener(writeOnly);
  assert.equal(code(() => own.openBlock(address, 0, block)), 'KEY');
  assert.equal(code(() => own.openBlock(address, 0, new Sealer(full).sealBlock(address, 0, data))), 'KEY');
  assert.equal(code(() => own.openRecord({ type: 'snapshot', name: 's' }, readers)), 'KEY');
  assert.equal(own.openRecord({ type: 'index', name: 'i' }, writers).toString(), 'addresses');
  const opener = new Opener(full);
  assert.ok(opener.openBlock(address, 0, block).equals(data));
  assert.equal(opener.openRecord({ type: 'snapshot', name: 's' }, readers).toString(), 'paths');
});

test('every session has its own key: two writers at once never share a session tag, and counters do not repeat', () => {
  const seen = new Set<string>();
  for (let w = 0; w < 4; w++) {
    const sealer = new Sealer(full);
    for (let i = 0; i < 50; i++) {
      const sealed = sealer.sealBlock(address, 0, Buffer.from('same bytes'));
      const nonceId = sealed.subarray(6, 46).toString('hex'); // session tag + counter
      assert.ok(!seen.has(nonceId), 'a session tag and counter repeated');
      seen.add(nonceId);
    }
  }
  // Same plaintext, same address: different ciphertexts.
  const s = new Sealer(full);
  assert.ok(!s.sealBlock(address, 0, data).equals(s.sealBlock(address, 0, data)));
});

test('after a rotation new data uses the new generation; old data stays readable; old keys open nothing new', () => {
  const before = new Sealer(full).sealBlock(address, 0, data);
  const rotated = addGeneration(full);
  const after = new Sealer(rotated).sealBlock(address, 0, data);
  assert.equal(before.readUInt32LE(2), 1);
  assert.equal(after.readUInt32LE(2), 2);
  const opener = new Opener(rotated);
  assert.ok(opener.openBlock(address, 0, before).equals(data));
  assert.ok(opener.openBlock(address, 0, after).equals(data));
  assert.equal(code(() => new Opener(full).openBlock(address, 0, after)), 'BLOCK_DAMAGED');
  assert.equal(code(() => new Opener(writeOnlyView(full)).openRecord({ type: 'index', name: 'i' }, new Sealer(rotated).sealRecord({ type: 'index', name: 'i' }, data, 'writers'))), 'REPO_DAMAGED');
});
