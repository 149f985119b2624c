// chunkStats: the summary figures `dedupfs chunk` and the benchmark print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkStats } from '../../src/chunker/index.js';

test('chunkStats: count, total, mean, population stddev, extremes', () => {
  assert.deepEqual(chunkStats([2, 4, 4, 4, 5, 5, 7, 9]), { count: 8, totalBytes: 40, mean: 5, stddev: 2, smallest: 2, largest: 9 });
  assert.deepEqual(chunkStats([7]), { count: 1, totalBytes: 7, mean: 7, stddev: 0, smallest: 7, largest: 7 });
  assert.deepEqual(chunkStats([]), { count: 0, totalBytes: 0, mean: 0, stddev: 0, smallest: 0, largest: 0 });
});
