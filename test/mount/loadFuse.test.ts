// fuse-native is loaded only when mounting, so every other command runs on a machine without
// libfuse; when it cannot be loaded, the mount fails with a MOUNT error that says what to install.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DedupfsError } from '../../src/core/errors.js';
import { loadFuse } from '../../src/mount/loadFuse.js';

test('a fuse-native that cannot be loaded is a MOUNT error naming the packages to install', async () => {
  await assert.rejects(loadFuse('fuse-native-that-is-not-installed'), (err: unknown) =>
    err instanceof DedupfsError && err.code === 'MOUNT' && /not installed/.test(err.message) && /apt-get install libfuse2 fuse/.test(err.hint ?? ''));
  assert.equal(typeof await loadFuse(), 'function', 'the installed fuse-native loads');
});

test('nothing imports fuse-native but loadFuse, and only dynamically', async () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const importers: string[] = [];
  for (const dir of ['src', 'cli']) {
    for (const file of await readdir(`${root}${dir}`, { recursive: true })) {
      if (!file.endsWith('.ts')) continue;
      const text = await readFile(`${root}${dir}/${file}`, 'utf8');
      if (/from\s+['"]fuse-native['"]|require\(['"]fuse-native['"]\)|import\(['"]fuse-native['"]\)/.test(text)) importers.push(`${dir}/${file}`);
    }
  }
  assert.deepEqual(importers, []);
  assert.match(await readFile(`${root}src/mount/loadFuse.ts`, 'utf8'), /await import\(specifier\)/);
});
