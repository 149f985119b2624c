// The keyring on disk: create, open, add, remove, change password, rotate; wrong passwords and
// refusals write nothing; a keyring changed behind dedupfs's back is damage. scrypt runs with
// small parameters here (the stored parameters are what opening uses, so this tests the same code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DedupfsError } from '../../src/core/errors.js';
import { addKey, removeKey, rotateKeys } from '../../src/crypto/changeKeyring.js';
import { changePassword } from '../../src/crypto/changePassword.js';
import { createKeyring } from '../../src/crypto/createKeyring.js';
import { createKeyEntry } from '../../src/crypto/keyEntry.js';
import { keyringMac } from '../../src/crypto/keyringMac.js';
import { createKeyMaterial } from '../../src/crypto/keyMaterial.js';
import { listKeys } from '../../src/crypto/listKeys.js';
import { Opener } from '../../src/crypto/opener.js';
import { openKeyring } from '../../src/crypto/openKeyring.js';
import { Sealer } from '../../src/crypto/sealer.js';
import { tempDir } from '../helpers/tempDir.js';

const scrypt = { N: 1024, r: 8, p: 1 };
const pw = (s: string) => Buffer.from(s);
const address = randomBytes(32);
const data = randomBytes(4096);

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err) => err instanceof DedupfsError && err.code === code);
}

async function newKeyring(t: { after(fn: () => Promise<void>): void }) {
  const file = join(await tempDir(t), 'keys.json');
  const created = await createKeyring(file, pw('first'), { scrypt });
  return { file, ...created };
}

test('create, then open with the password; a second create is refused', async (t) => {
  const { file, keyId, material } = await newKeyring(t);
  const opened = await openKeyring(file, pw('first'));
  assert.equal(opened.keyId, keyId);
  assert.equal(opened.material.kind, 'full');
  assert.ok(opened.material.contentKey.equals(material.contentKey));
  await rejectsWith(createKeyring(file, pw('other'), { scrypt }), 'EXISTS');
  assert.equal((await stat(file)).mode & 0o777, 0o600, 'owner-only');
  const text = await readFile(file, 'utf8');
  assert.ok(!text.includes(material.contentKey.toString('base64')), 'no key material in the clear');
  assert.deepEqual((await listKeys(file)).map((k) => [k.id, k.kind, k.scrypt.N]), [[keyId, 'full', 1024]]);
});

test('a wrong password is WRONG_PASSWORD and writes nothing', async (t) => {
  const { file } = await newKeyring(t);
  const before = await readFile(file);
  await rejectsWith(openKeyring(file, pw('firsT')), 'WRONG_PASSWORD');
  await rejectsWith(addKey({ file, password: pw('nope') }, { kind: 'full', newPassword: pw('x'), scrypt }), 'WRONG_PASSWORD');
  await rejectsWith(changePassword({ file, password: pw('nope') }, { newPassword: pw('x'), scrypt }), 'WRONG_PASSWORD');
  await rejectsWith(rotateKeys({ file, password: pw('nope') }), 'WRONG_PASSWORD');
  assert.ok((await readFile(file)).equals(before));
});

test('a write-only key opens to key material without private halves: it seals, full keys read, it reads only writer records', async (t) => {
  const { file } = await newKeyring(t);
  const id = await addKey({ file, password: pw('first') }, { kind: 'write-only', newPassword: pw('cron'), scrypt });
  const writer = await openKeyring(file, pw('cron'));
  assert.equal(writer.keyId, id);
  assert.equal(writer.material.kind, 'write-only');
  assert.ok(writer.material.generations.every((g) => g.privateKey === undefined));
  const sealer = new Sealer(writer.material);
  const block = sealer.sealBlock(address, 0, data);
  const index = sealer.sealRecord({ type: 'index', name: '1' }, Buffer.from('idx'), 'writers');
  const reader = new Opener((await openKeyring(file, pw('first'))).material);
  assert.ok(reader.openBlock(address, 0, block).equals(data));
  assert.throws(() => new Opener(writer.material).openBlock(address, 0, block), (err) => err instanceof DedupfsError && err.code === 'KEY');
  assert.equal(new Opener(writer.material).openRecord({ type: 'index', name: '1' }, index).toString(), 'idx');
  // and it cannot manage keys
  await rejectsWith(addKey({ file, password: pw('cron') }, { kind: 'full', newPassword: pw('mine'), scrypt }), 'KEY');
  await rejectsWith(rotateKeys({ file, password: pw('cron') }), 'KEY');
  await rejectsWith(removeKey({ file, password: pw('cron') }, id), 'KEY');
});

test('several passwords each open the repository; removing one leaves the others; the last full key cannot be removed', async (t) => {
  const { file, keyId: first } = await newKeyring(t);
  const second = await addKey({ file, password: pw('first') }, { kind: 'full', newPassword: pw('second'), scrypt });
  const cron = await addKey({ file, password: pw('first') }, { kind: 'write-only', newPassword: pw('cron'), scrypt });
  assert.equal((await openKeyring(file, pw('second'))).keyId, second);
  assert.equal((await openKeyring(file, pw('second'), { keyId: second })).keyId, second);
  await rejectsWith(openKeyring(file, pw('second'), { keyId: first }), 'WRONG_PASSWORD');
  await rejectsWith(openKeyring(file, pw('second'), { keyId: '0123456789abcdef' }), 'NOT_FOUND');
  await removeKey({ file, password: pw('second') }, first);
  await rejectsWith(openKeyring(file, pw('first')), 'WRONG_PASSWORD');
  assert.equal((await openKeyring(file, pw('cron'))).keyId, cron);
  const before = await readFile(file);
  await rejectsWith(removeKey({ file, password: pw('second') }, second), 'KEY');
  await rejectsWith(removeKey({ file, password: pw('second') }, 'ffffffffffffffff'), 'NOT_FOUND');
  assert.ok((await readFile(file)).equals(before), 'a refused removal writes nothing');
  await removeKey({ file, password: pw('second') }, cron);
  assert.deepEqual((await listKeys(file)).map((k) => k.id), [second]);
});

test('changing a password: the old one stops working, the new one opens the same keys', async (t) => {
  const { file, material } = await newKeyring(t);
  await addKey({ file, password: pw('first') }, { kind: 'write-only', newPassword: pw('cron'), scrypt });
  await changePassword({ file, password: pw('first') }, { newPassword: pw('renewed'), scrypt: { N: 2048, r: 8, p: 1 } });
  await rejectsWith(openKeyring(file, pw('first')), 'WRONG_PASSWORD');
  const opened = await openKeyring(file, pw('renewed'));
  assert.ok(opened.material.contentKey.equals(material.contentKey));
  assert.ok(opened.material.generations[0].privateKey!.equals(material.generations[0].privateKey!));
  assert.equal((await listKeys(file)).find((k) => k.id === opened.keyId)!.scrypt.N, 2048, 'new parameters stored');
  // a write-only key may change its own password, and the keyring still checks out for full keys
  await changePassword({ file, password: pw('cron') }, { newPassword: pw('cron2'), scrypt });
  assert.equal((await openKeyring(file, pw('cron2'))).material.kind, 'write-only');
  await addKey({ file, password: pw('renewed') }, { kind: 'full', newPassword: pw('third'), scrypt });
});

test('rotation: every key gets the new generation, old data stays readable, a key removed before it learns nothing new', async (t) => {
  const { file } = await newKeyring(t);
  await addKey({ file, password: pw('first') }, { kind: 'write-only', newPassword: pw('cron'), scrypt });
  const leaving = await addKey({ file, password: pw('first') }, { kind: 'full', newPassword: pw('leaving'), scrypt });
  const leaverMaterial = (await openKeyring(file, pw('leaving'))).material;
  const old = new Sealer((await openKeyring(file, pw('cron'))).material).sealBlock(address, 0, data);
  await removeKey({ file, password: pw('first') }, leaving);
  const rotated = await rotateKeys({ file, password: pw('first') });
  assert.equal(rotated.generations.length, 2);
  const cron = (await openKeyring(file, pw('cron'))).material;
  assert.deepEqual(cron.generations.map((g) => g.number), [1, 2]);
  const fresh = new Sealer(cron).sealBlock(address, 0, data);
  assert.equal(fresh.readUInt32LE(2), 2, 'the write-only key seals under generation 2');
  const reader = new Opener((await openKeyring(file, pw('first'))).material);
  assert.ok(reader.openBlock(address, 0, old).equals(data));
  assert.ok(reader.openBlock(address, 0, fresh).equals(data));
  assert.throws(() => new Opener(leaverMaterial).openBlock(address, 0, fresh), (err) => err instanceof DedupfsError && err.code === 'BLOCK_DAMAGED');
  assert.ok(new Opener(leaverMaterial).openBlock(address, 0, old).equals(data), 'what it could read before, it still can (re-sealing is gc\'s job)');
});

test('revocation (remove with rotate, one write): the removed holder can neither read new data nor forge an entry into the keyring', async (t) => {
  const { file } = await newKeyring(t);
  const leaving = await addKey({ file, password: pw('first') }, { kind: 'full', newPassword: pw('leaving'), scrypt });
  const stolen = (await openKeyring(file, pw('leaving'))).material;
  await removeKey({ file, password: pw('first') }, leaving, { rotate: true });
  const now = (await openKeyring(file, pw('first'))).material;
  assert.equal(now.generations.length, 2);
  const fresh = new Sealer(now).sealBlock(address, 0, data);
  assert.throws(() => new Opener(stolen).openBlock(address, 0, fresh), (err) => err instanceof DedupfsError && err.code === 'BLOCK_DAMAGED');
  // The removed holder slips in an entry of their own with a MAC made from what they still hold.
  const ring = JSON.parse(await readFile(file, 'utf8'));
  const intruder = await createKeyEntry('full', pw('evil'), stolen, scrypt);
  const keys = [...ring.keys, intruder];
  await writeFile(file, JSON.stringify({ ...ring, keys, mac: keyringMac(stolen, keys) }));
  await rejectsWith(rotateKeys({ file, password: pw('first') }), 'REPO_DAMAGED');
  await rejectsWith(addKey({ file, password: pw('first') }, { kind: 'write-only', newPassword: pw('x'), scrypt }), 'REPO_DAMAGED');
});

test('a keyring changed behind dedupfs\'s back is damage: a slipped-in entry, a relabelled kind, impossible scrypt parameters, garbage', async (t) => {
  const { file } = await newKeyring(t);
  await addKey({ file, password: pw('first') }, { kind: 'write-only', newPassword: pw('cron'), scrypt });
  const original = await readFile(file, 'utf8');
  const ring = JSON.parse(original);

  // An attacker's own entry, with its own key material: the next rotation would grant it the new keys.
  const intruder = await createKeyEntry('full', pw('evil'), createKeyMaterial(), scrypt);
  await writeFile(file, JSON.stringify({ ...ring, keys: [...ring.keys, intruder] }));
  await rejectsWith(rotateKeys({ file, password: pw('first') }), 'REPO_DAMAGED');
  await rejectsWith(openKeyring(file, pw('first')), 'REPO_DAMAGED');

  // The write-only entry relabelled full: its grant is a write-only one.
  await writeFile(file, JSON.stringify({ ...ring, keys: ring.keys.map((e: { kind: string }) => ({ ...e, kind: 'full' })) }));
  await rejectsWith(openKeyring(file, pw('cron')), 'WRONG_PASSWORD'); // the kind is bound to the wrapped key
  await rejectsWith(openKeyring(file, pw('first')), 'REPO_DAMAGED'); // and to the keyring's MAC

  for (const kdf of [{ N: 2 ** 30 }, { N: 2 ** 22, r: 32 }, { N: 1000 }, { p: 0 }]) {
    const huge = structuredClone(ring);
    Object.assign(huge.keys[0].wrapped.kdf, kdf);
    await writeFile(file, JSON.stringify(huge));
    await rejectsWith(openKeyring(file, pw('first')), 'REPO_DAMAGED');
  }

  await writeFile(file, original.slice(0, 100));
  await rejectsWith(openKeyring(file, pw('first')), 'REPO_DAMAGED');
  await rejectsWith(openKeyring(join(file, '..', 'missing.json'), pw('first')), 'NOT_FOUND');

  await writeFile(file, original);
  assert.equal((await openKeyring(file, pw('first'))).material.kind, 'full');
});
