// Build step (npm run build:bundle, after tsc): bundles the CLI that bin/dedupfs runs into
// dist/bundle/: dist/cli/main.js with every module of ours, yargs and better-sqlite3's
// JavaScript, in a few files (a shared part, then one per command, loaded when that command
// runs). `dedupfs snapshots` then reads 7 files of JavaScript instead of 37 of ours, 15 of
// yargs' and 15 of better-sqlite3's, and starts sooner (README, "Performance": start-up). The
// other npm packages (native addons, the S3 client) stay in node_modules, loaded when used.
//
// A bundled module keeps the location of its own file: import.meta.url in ours (tsc's file in
// dist/), __dirname in a package's (its folder in node_modules, wherever npm installed it). What
// they find next to themselves (the wasm chunker, the compression worker, package.json, yargs'
// messages) is found where it was, and a worker thread runs the unbundled module. SQLite's addon
// is named by path (src/catalog/catalog.ts). Source maps point into dist/ (`node
// --enable-source-maps`); the bundle itself is readable, not minified.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(root, 'dist/bundle');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
/** The npm packages bundled: plain JavaScript that every listing loads. */
const BUNDLED = ['yargs', 'better-sqlite3'];
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }).filter((name) => !BUNDLED.includes(name));

/** `path`, a file of ours in dist/, as a URL relative to the bundle's files. */
const fromBundle = (path) => JSON.stringify(relative(outdir, path));

/** The folder of `path`, a file of an npm package, found at run time where the package is installed. */
function packageFolder(path) {
  const [, name, sub] = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(dirname(path) + '/');
  return `require("node:path").join(require("node:path").dirname(require.resolve(${JSON.stringify(`${name}/package.json`)})), ${JSON.stringify(sub)})`;
}

const ownLocation = {
  name: 'own-location',
  setup(b) {
    b.onLoad({ filter: /\.c?js$/ }, async ({ path }) => {
      const text = await readFile(path, 'utf8');
      const contents = path.includes('/node_modules/')
        ? text.replace(/\b__dirname\b/g, () => packageFolder(path))
        : text.replaceAll('import.meta.url', `new URL(${fromBundle(path)}, import.meta.url).href`);
      return { contents, loader: 'js' };
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
  external: external.flatMap((name) => [name, `${name}/*`]),
  // yargs and better-sqlite3 are CommonJS: their require() of Node's modules needs a require in an ES module
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  sourcemap: true,
  sourcesContent: false, // the maps name the files in dist/ and node_modules/ (in the package too), not copies
  logLevel: 'warning',
  plugins: [ownLocation],
});
