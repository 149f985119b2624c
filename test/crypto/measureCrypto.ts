// The figures behind docs/ENCRYPTION.md: AEAD choice, seal/open throughput on 64 KiB blocks,
// keyed hashing, scrypt time for the stored parameters, and the X25519 cost per session.
// Not a test: run `node dist/test/crypto/measureCrypto.js` after `npm run build` (best of 3).
import { createCipheriv, createHmac, randomBytes, scryptSync } from 'node:crypto';
import { blake3 } from '@napi-rs/blake-hash';
import { keyedHashFunction } from '../../src/crypto/keyedHashFunction.js';
import { createKeyMaterial } from '../../src/crypto/keyMaterial.js';
import { Opener } from '../../src/crypto/opener.js';
import { DEFAULT_SCRYPT } from '../../src/crypto/passwordWrap.js';
import { Sealer } from '../../src/crypto/sealer.js';

const BLOCK = 65536;
const COUNT = 3000;
const block = randomBytes(BLOCK);
const key = randomBytes(32);

function best(fn: () => void): number {
  let min = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return min;
}

const mbps = (seconds: number) => `${((COUNT * BLOCK) / seconds / 1e6).toFixed(0)} MB/s`;

function aead(cipher: string): string {
  return mbps(best(() => {
    const iv = Buffer.alloc(12);
    for (let i = 0; i < COUNT; i++) {
      iv.writeUInt32LE(i);
      const c = createCipheriv(cipher as 'chacha20-poly1305', key, iv, { authTagLength: 16 });
      c.setAAD(iv, { plaintextLength: BLOCK });
      c.update(block);
      c.final();
      c.getAuthTag();
    }
  }));
}

const material = createKeyMaterial();
const address = randomBytes(32);
const sealer = new Sealer(material);
const opener = new Opener(material);
const sealed = sealer.sealBlock(address, 0, block);
const keyed = keyedHashFunction(key);
const rows: [string, string][] = [
  ['AES-256-GCM, 64 KiB, one core', aead('aes-256-gcm')],
  ['ChaCha20-Poly1305, 64 KiB, one core', aead('chacha20-poly1305')],
  ['sealBlock, 64 KiB', mbps(best(() => { for (let i = 0; i < COUNT; i++) sealer.sealBlock(address, 0, block); }))],
  ['openBlock, 64 KiB', mbps(best(() => { for (let i = 0; i < COUNT; i++) opener.openBlock(address, 0, sealed); }))],
  ['BLAKE3 (unkeyed addresses), 64 KiB', mbps(best(() => { for (let i = 0; i < COUNT; i++) blake3(block); }))],
  ['keyed BLAKE3 (keyed addresses), 64 KiB', mbps(best(() => { for (let i = 0; i < COUNT; i++) keyed(block); }))],
  ['HMAC-SHA256, 64 KiB', mbps(best(() => { for (let i = 0; i < COUNT; i++) createHmac('sha256', key).update(block).digest(); }))],
];
const sessions = 200;
rows.push(['new writer session (X25519 key pair + exchange + 4 HKDF)', `${((best(() => { for (let i = 0; i < sessions; i++) new Sealer(material); }) / sessions) * 1e6).toFixed(0)} us`]);
const foreign = Array.from({ length: sessions }, () => new Sealer(material).sealBlock(address, 0, Buffer.alloc(16)));
rows.push(['first block of a session opened (X25519 exchange + HKDF)', `${((best(() => { const o = new Opener(material); for (const s of foreign) o.openBlock(address, 0, s); }) / sessions) * 1e6).toFixed(0)} us`]);
for (const N of [2 ** 16, DEFAULT_SCRYPT.N, 2 ** 18]) {
  const { r, p } = DEFAULT_SCRYPT;
  const seconds = best(() => { scryptSync('password', key, 32, { N, r, p, maxmem: 129 * N * r + (1 << 20) }); });
  rows.push([`scrypt N=2^${Math.log2(N)} r=${r} p=${p} (${(128 * N * r) / 2 ** 20} MiB)${N === DEFAULT_SCRYPT.N ? ', the default' : ''}`, `${(seconds * 1000).toFixed(0)} ms`]);
}
for (const [what, figure] of rows) console.log(`| ${what} | ${figure} |`);
