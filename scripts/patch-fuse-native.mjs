// Run by npm after an install (package.json "postinstall"), or by hand:
//   node scripts/patch-fuse-native.mjs [FUSE_NATIVE_DIR]
// fuse-native 2.2.6 hands a file system's utimens the access time twice: its C binding passes
// l->atime where l->mtime belongs (fuse-native.c, the second FUSE_UINT64_TO_INTS_ARGV of
// utimens), so the writable mount (dedupfs mount --writable) cannot keep the modification time
// that cp -a, rsync -a or touch -d set. This fixes that line in a copy of the package, builds
// the copy's addon with node-gyp (no network: node's headers and npm's node-gyp), and only once
// that worked puts the fixed C file and the new addon in place, with the stamp
// build/Release/dedupfs-utimens-fixed beside the addon. It does nothing when fuse-native is
// absent (it is an optional dependency) or already fixed, and never fails the install: when the
// build fails, fuse-native is left as it was and the reason is said in one line.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

const BUG = 'FUSE_UINT64_TO_INTS_ARGV(l->atime, 5)';
const FIX = 'FUSE_UINT64_TO_INTS_ARGV(l->mtime, 5)';
const STAMP = 'dedupfs-utimens-fixed';

function fuseNativeDir() {
  if (process.argv[2]) return process.argv[2];
  try {
    return dirname(createRequire(import.meta.url).resolve('fuse-native/package.json'));
  } catch {
    return undefined;
  }
}

/** npm's node-gyp: npm names it to install scripts; else the one beside npm; else node-gyp on the PATH. */
function nodeGyp() {
  const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const script = process.env.npm_config_node_gyp || (existsSync(bundled) ? bundled : undefined);
  return script ? [process.execPath, [script]] : ['node-gyp', []];
}

// A running mount has the old addon mapped: writing over it in place would change its code under
// it (SIGBUS). A new file renamed over the old name leaves the mapped one intact.
function replaceFile(from, to) {
  copyFileSync(from, `${to}.new`);
  renameSync(`${to}.new`, to);
}

const dir = fuseNativeDir();
const source = dir && join(dir, 'fuse-native.c');
const release = dir && join(dir, 'build', 'Release');
const text = source && existsSync(source) ? readFileSync(source, 'utf8') : '';
if (text.includes(BUG) && !existsSync(join(release, STAMP))) {
  const copy = mkdtempSync(join(tmpdir(), 'dedupfs-fuse-native-'));
  try {
    cpSync(dir, copy, { recursive: true, filter: (path) => !path.startsWith(join(dir, 'build')) });
    writeFileSync(join(copy, 'fuse-native.c'), text.replace(BUG, FIX));
    const [cmd, args] = nodeGyp();
    // binding.gyp asks node for napi-macros and fuse-shared-library: found beside fuse-native.
    const nodePath = [join(dir, 'node_modules'), dirname(dir), process.env.NODE_PATH].filter(Boolean).join(delimiter);
    // node's own headers when it has them (Debian's nodejs, a tarball install): nothing to download.
    const prefix = join(dirname(process.execPath), '..');
    const headers = !process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
    execFileSync(cmd, [...args, 'rebuild', ...headers], { cwd: copy, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_PATH: nodePath } });
    mkdirSync(release, { recursive: true });
    for (const name of readdirSync(join(copy, 'build', 'Release'))) {
      if (name.endsWith('.node') || name.endsWith('.so')) replaceFile(join(copy, 'build', 'Release', name), join(release, name));
    }
    replaceFile(join(copy, 'fuse-native.c'), source);
    writeFileSync(join(release, STAMP), 'fuse-native.c: utimens is passed the modification time\n');
    process.stdout.write(`dedupfs: fuse-native rebuilt so that utimens is passed the modification time (${dir})\n`);
  } catch (err) {
    const why = String(err.stderr ?? err.message).trim().split('\n').pop();
    process.stderr.write(`dedupfs: could not rebuild fuse-native to fix utimens (${why}); the writable mount keeps the access time as the modification time\n`);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
