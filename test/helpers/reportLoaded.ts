// Loaded with `node --import` (through NODE_OPTIONS) into a dedupfs process: when the process
// exits, writes what it had loaded to the file $DEDUPFS_TEST_LOADED, as JSON: `addons`, the
// native addons (.node files) mapped into it, read from /proc/self/maps so that an addon counts
// however it was loaded; `files`, every JavaScript file loaded, by require() (Node's CommonJS
// cache) or as an ES module (seen by the resolve hook of reportLoadedHooks.ts); `execArgv`, the
// options Node was started with.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const out = process.env.DEDUPFS_TEST_LOADED;
if (out) {
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  register('./reportLoadedHooks.js', import.meta.url, { data: { port: port2 }, transferList: [port2] });
  process.on('exit', () => {
    const maps = readFileSync('/proc/self/maps', 'utf8').split('\n').map((line) => line.split(/\s+/)[5] ?? '');
    const files = new Set(Object.keys(createRequire(import.meta.url).cache));
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) {
      if ((m.message as string).startsWith('file:')) files.add(fileURLToPath(m.message as string));
    }
    writeFileSync(out, JSON.stringify({ addons: [...new Set(maps.filter((p) => p.endsWith('.node')))], files: [...files], execArgv: process.execArgv }));
  });
}
