// `npm run bench`: throughput, memory and ratios of every hot path, printed as tables.
// Benchmarks measure; tests assert. Run on an otherwise idle machine and compare ratios.
// `npm run bench -- peers mount` runs only the sections named (by their first word).
import { benchChunker } from './chunker.js';
import { benchIngest } from './ingest.js';
import { benchEncryption } from './encryption.js';
import { benchMount } from './mount.js';
import { benchWritableMount } from './writableMount.js';
import { benchLifecycle } from './lifecycle.js';
import { benchPeers } from './peers.js';
import { benchRestore } from './restore.js';
import { benchStartup } from './startup.js';
import { benchS3 } from './s3.js';

const sections: Array<[string, () => Promise<void>]> = [
  ['start-up', benchStartup],
  ['chunker', benchChunker],
  ['ingest and restore', benchIngest],
  ['s3: ingest and restore in a bucket', benchS3],
  ['encryption: ingest and restore, plain and encrypted', benchEncryption],
  ['restore: to tmpfs, plain and encrypted (against DEDUPFS_BENCH_RESTORE_BASELINE)', benchRestore],
  ['mount', benchMount],
  ['writable mount', benchWritableMount],
  ['gc and check', benchLifecycle],
  ['peers: restic, borg, casync', benchPeers],
];

const chosen = process.argv.slice(2);
for (const [name, run] of sections) {
  if (chosen.length && !chosen.includes(name.split(/[ :]/)[0])) continue;
  process.stdout.write(`\n== ${name} ==\n`);
  await run();
}
