// `npm run bench`: throughput, memory and ratios of every hot path, printed as tables.
// Benchmarks measure; tests assert. Run on an otherwise idle machine and compare ratios.
import { benchChunker } from './chunker.js';
import { benchIngest } from './ingest.js';
import { benchMount } from './mount.js';
import { benchWritableMount } from './writableMount.js';
import { benchLifecycle } from './lifecycle.js';
import { benchStartup } from './startup.js';

const sections: Array<[string, () => Promise<void>]> = [
  ['start-up', benchStartup],
  ['chunker', benchChunker],
  ['ingest and restore', benchIngest],
  ['mount', benchMount],
  ['writable mount', benchWritableMount],
  ['gc and check', benchLifecycle],
];

for (const [name, run] of sections) {
  process.stdout.write(`\n== ${name} ==\n`);
  await run();
}
