// Extended attributes of an open file: listed by name first (a file without any is answered in
// one call), read through the descriptor otherwise, so the values are the opened file's even
// when its name has moved on.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readXattrs, readXattrsSync, writeXattrs } from '../../src/core/xattrs.js';
import { tempDir } from '../helpers/tempDir.js';

it('reads the opened file\'s attributes, sorted, with or without its path, and after a rename', async (t) => {
  const dir = await tempDir(t);
  const withAttrs = join(dir, 'with'), without = join(dir, 'without');
  writeFileSync(withAttrs, 'a');
  writeFileSync(without, 'b');
  const fd = openSync(withAttrs, 'r+'), bare = openSync(without, 'r');
  try {
    await writeXattrs(fd, [['user.b', Buffer.from('2')], ['user.a', Buffer.from('1')]]);
    const expected = [['user.a', Buffer.from('1')], ['user.b', Buffer.from('2')]];
    assert.deepEqual(readXattrsSync(fd, Buffer.from(withAttrs)), expected);
    assert.deepEqual(await readXattrs(fd, Buffer.from(withAttrs)), expected);
    assert.deepEqual(readXattrsSync(fd), expected);
    assert.deepEqual(readXattrsSync(bare, Buffer.from(without)), []);
    assert.deepEqual(await readXattrs(bare, Buffer.from(without)), []);
    // The name now leads nowhere: the descriptor answers.
    renameSync(withAttrs, join(dir, 'moved'));
    assert.deepEqual(readXattrsSync(fd, Buffer.from(withAttrs)), expected);
    assert.deepEqual(await readXattrs(fd, Buffer.from(withAttrs)), expected);
  } finally {
    closeSync(fd);
    closeSync(bare);
  }
});
