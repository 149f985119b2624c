// Loaded with `node --import` (through NODE_OPTIONS) into a dedupfs process: when the process
// exits, writes the native addons (.node files) mapped into it, one path a line, to the file
// $DEDUPFS_TEST_ADDONS. Read from /proc/self/maps, so an addon counts however it was loaded.
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.DEDUPFS_TEST_ADDONS;
if (out) {
  process.on('exit', () => {
    const paths = readFileSync('/proc/self/maps', 'utf8').split('\n').map((line) => line.split(/\s+/)[5] ?? '');
    writeFileSync(out, [...new Set(paths.filter((p) => p.endsWith('.node')))].map((p) => `${p}\n`).join(''));
  });
}
