// Chunker parameters: the defaults, the reference limits, ordering, and the one-line USAGE
// errors that name the bad value and what is allowed; text parsing for the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chunker, DEFAULT_CHUNKER_PARAMS, parseChunkerParams, validateChunkerParams, type ChunkerParams } from '../../src/chunker/index.js';
import { DedupfsError } from '../../src/core/errors.js';

const base: ChunkerParams = { min: 4096, avg: 16384, max: 65536, level: 1, seed: 0n };

function assertUsage(params: Partial<ChunkerParams>, ...mentions: string[]): void {
  assert.throws(() => validateChunkerParams({ ...base, ...params }), (err: unknown) => {
    assert.ok(err instanceof DedupfsError);
    assert.equal(err.code, 'USAGE');
    assert.ok(!err.message.includes('\n'), 'one line');
    for (const m of mentions) assert.ok(err.message.includes(m), `'${err.message}' mentions '${m}'`);
    return true;
  });
}

test('params: defaults are 16 KiB / 64 KiB / 256 KiB, level 2, seed 0, and valid', () => {
  assert.deepEqual({ ...DEFAULT_CHUNKER_PARAMS }, { min: 16384, avg: 65536, max: 262144, level: 2, seed: 0n });
  validateChunkerParams(DEFAULT_CHUNKER_PARAMS);
  assert.deepEqual(new Chunker().params, DEFAULT_CHUNKER_PARAMS);
});

test('params: the reference limits are inclusive', () => {
  validateChunkerParams({ min: 64, avg: 256, max: 1024, level: 0, seed: 0n });
  validateChunkerParams({ min: 1048576, avg: 4194304, max: 16777216, level: 3, seed: 2n ** 64n - 1n });
  validateChunkerParams({ min: 1000, avg: 1000, max: 1000 * 2, level: 3, seed: 1n });
});

test('params: sizes outside the limits are rejected, naming value and range', () => {
  assertUsage({ min: 63 }, 'min', '63', '64..1048576');
  assertUsage({ min: 1048577, avg: 2 ** 21, max: 2 ** 22 }, 'min', '1048577', '1 MiB');
  assertUsage({ avg: 255, min: 64 }, 'avg', '255', '256..4194304');
  assertUsage({ avg: 4194305, max: 2 ** 23 }, 'avg', '4194305');
  assertUsage({ max: 1023, min: 64, avg: 256 }, 'max', '1023', '1024..16777216');
  assertUsage({ max: 16777217 }, 'max', '16777217', '16 MiB');
  assertUsage({ min: 4096.5 }, 'min', '4096.5');
  assertUsage({ avg: Number.NaN }, 'avg', 'NaN');
});

test('params: min <= avg <= max is required', () => {
  assertUsage({ min: 32768 }, 'min 32768', 'avg 16384');
  assertUsage({ max: 8192 }, 'avg 16384', 'max 8192');
});

test('params: level 0..3 and a 64-bit unsigned seed', () => {
  assertUsage({ level: 4 as 0 }, 'level 4', '0..3');
  assertUsage({ level: -1 as 0 }, 'level -1');
  assertUsage({ seed: -1n }, 'seed -1');
  assertUsage({ seed: 2n ** 64n }, 'seed 18446744073709551616', '18446744073709551615');
});

test('params: the Chunker constructor validates', () => {
  assert.throws(() => new Chunker({ ...base, max: 100 }), { code: 'USAGE' });
});

test('parseChunkerParams: sizes with suffixes, decimal and hex seeds, defaults for the rest', () => {
  assert.deepEqual(parseChunkerParams({}), { ...DEFAULT_CHUNKER_PARAMS });
  assert.deepEqual(parseChunkerParams({ min: '4K', avg: '16KiB', max: '65535', level: 1, seed: '666' }),
    { min: 4096, avg: 16384, max: 65535, level: 1, seed: 666n });
  assert.equal(parseChunkerParams({ seed: '0x29A' }).seed, 666n);
  assert.equal(parseChunkerParams({ seed: '0xffffffffffffffff' }).seed, 2n ** 64n - 1n);
  assert.equal(parseChunkerParams({ min: '1M', avg: '1M', max: '1M' }).max, 1048576);
});

test('parseChunkerParams: bad text is a USAGE error', () => {
  for (const bad of [{ seed: '-1' }, { seed: '1.5' }, { seed: '0x' }, { seed: 'abc' }, { seed: '0x10000000000000000' }, { min: '4X' }, { avg: '' }]) {
    assert.throws(() => parseChunkerParams(bad), { code: 'USAGE' }, JSON.stringify(bad));
  }
  assert.throws(() => parseChunkerParams({ seed: 'abc' }), { message: "invalid seed 'abc' (use a 64-bit integer, decimal or 0x hex)" });
});
