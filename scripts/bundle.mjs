// Build step (npm run build:bundle), after tsc: bundles the CLI that bin/dedupfs runs,
// dist/cli/main.js and every module of ours it imports, into a few files in dist/bundle/ (one
// shared part and one per command, loaded when that command runs). Node then reads ~5 files at
// start-up instead of ~40, which makes `dedupfs snapshots` start ~15 ms sooner (README,
// "Performance": start-up). npm packages stay outside, loaded from node_modules as before.
//
// A bundled module keeps the import.meta.url of its own file in dist/: the files it finds next
// to itself (the wasm chunker, the compression worker, package.json) are found where tsc put
// them, and a worker thread runs the unbundled module. Source maps point into dist/.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(root, 'dist/bundle');

/** Gives each module of ours the import.meta.url of its own file in dist/. */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, async ({ path }) => {
      const own = `new URL(${JSON.stringify(relative(outdir, path))}, import.meta.url).href`;
      return { contents: (await readFile(path, 'utf8')).replaceAll('import.meta.url', own), loader: 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true }); // no chunk of an earlier build is left in the package
await build({
  entryPoints: [resolve(root, 'dist/cli/main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [ownUrl],
});
