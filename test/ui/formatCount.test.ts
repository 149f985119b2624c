// Plurals in human output: one helper, and the formatters that count through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCount } from '../../src/ui/formatCount.js';
import { formatRestoreSummary } from '../../src/ui/formatRestore.js';
import { emptyResult } from '../../src/restore/restoreResult.js';

test('formatCount: singular for exactly one', () => {
  assert.equal(formatCount(1, 'snapshot'), '1 snapshot');
  assert.equal(formatCount(0, 'snapshot'), '0 snapshots');
  assert.equal(formatCount(2, 'file'), '2 files');
  assert.equal(formatCount(1n, 'byte'), '1 byte');
  assert.equal(formatCount(3, 'index entry', 'index entries'), '3 index entries');
});

test('a restore of one file and one folder reads "1 file, 1 folder"', () => {
  const text = formatRestoreSummary({ ...emptyResult('id', '/t', false), files: 1, dirs: 1, symlinks: 1, bytes: 5, warnings: 1, errors: 2 });
  assert.match(text, /^restored 1 file, 1 folder, 1 symlink, 5 B to \/t$/m);
  assert.match(text, /1 warning, 2 errors/);
});
