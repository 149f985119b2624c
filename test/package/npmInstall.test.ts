// The package as npm users get it: `npm pack` of the built tree, installed into a scratch
// folder, and the installed `dedupfs` command run (version, then an ingest and restore round
// trip compared by hash). Offline: the install is `npm ci --offline` against the npm cache that
// `npm ci` of this project filled, with a lockfile made of this project's runtime entries and
// their tarballs (a global `npm install -g` would fetch full registry documents, which that
// cache lacks).
// Install scripts are skipped; the native addons they would build are linked from this
// project's node_modules (same versions). So this proves the tarball's contents, its bin link
// and its declared dependencies; not that the addons build on the user's machine, nor the
// manual page link of a global install.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { describeTree } from '../helpers/sourceTree.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface LockEntry { dev?: boolean; hasInstallScript?: boolean; [key: string]: unknown }

/**
 * The entry with its registry tarball named: this project's lockfile leaves `resolved` out, and
 * without it npm would ask the registry (or its cache of registry documents) where the tarball
 * is. With it, the tarball comes from npm's cache by its integrity.
 */
function withTarball(path: string, entry: LockEntry): LockEntry {
  if (entry.resolved || entry.link) return entry;
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return { ...entry, resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${String(entry.version)}.tgz` };
}

/** npm run with the environment of a user's shell: no npm_* variables of an enclosing `npm test`. */
function npm(args: string[], cwd: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return runCommand('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env: { ...env, npm_config_update_notifier: 'false' } });
}

test('npm pack carries the built command and nothing of the tests; the installed dedupfs runs', async (t) => {
  const work = await tempDir(t, 'dedupfs-npm-');
  const pack = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work, ROOT], work);
  assert.equal(pack.code, 0, pack.stderr);
  const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = packed.files.map((f) => f.path);
  for (const needed of ['package.json', 'README.md', 'bin/dedupfs', 'man/dedupfs.1', 'dist/cli/main.js', 'dist/wasm/fastcdc.wasm', 'dist/src/repo/repository.js']) {
    assert.ok(files.includes(needed), `${needed} is in the tarball`);
  }
  assert.deepEqual(files.filter((f) => /^(dist\/(test|bench)\/|test\/|bench\/|src\/|cli\/|wasm\/)/.test(f)), [], 'no tests, bench or sources');

  // A project that depends on the tarball, locked to this project's runtime packages.
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const tarball = `file:../${packed.filename}`;
  const runtime = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && !entry.dev).map(([path, entry]) => [path, withTarball(path, entry)] as const);
  const user = join(work, 'user');
  await mkdir(user);
  await writeFile(join(user, 'package.json'), JSON.stringify({ private: true, dependencies: { dedupfs: tarball } }));
  await writeFile(join(user, 'package-lock.json'), JSON.stringify({
    lockfileVersion: 3, requires: true,
    packages: {
      '': { dependencies: { dedupfs: tarball } },
      'node_modules/dedupfs': { version: pkg.version, resolved: tarball, dependencies: pkg.dependencies, optionalDependencies: pkg.optionalDependencies, bin: pkg.bin, engines: pkg.engines },
      ...Object.fromEntries(runtime),
    },
  }));
  const install = await npm(['ci', '--offline', '--ignore-scripts'], user);
  assert.equal(install.code, 0, install.stderr);
  for (const [path, entry] of runtime) {
    if (entry.hasInstallScript && existsSync(join(ROOT, path, 'build')) && existsSync(join(user, path))) {
      await symlink(join(ROOT, path, 'build'), join(user, path, 'build'));
    }
  }

  const dedupfs = join(user, 'node_modules', '.bin', 'dedupfs');
  const version = await runCommand(dedupfs, ['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout, `${pkg.version}\n`);

  const src = join(work, 'src'), target = join(work, 'restored');
  await mkdir(src);
  await writeFile(join(src, 'notes.txt'), 'installed from the tarball\n');
  await writeFile(join(src, 'blob.bin'), Buffer.alloc(200_000, 7));
  const env = { ...process.env, DEDUPFS_REPO: join(work, 'repo') };
  for (const args of [['init', '-q'], ['ingest', '--init', '-q', src], ['restore', '-q', 'latest', target]]) {
    const r = await runCommand(dedupfs, args, { env });
    assert.equal(r.code, 0, `dedupfs ${args.join(' ')}: ${r.stderr}`);
  }
  const hashes = (tree: Map<string, { sha256?: string }>) => [...tree].map(([name, facts]) => [name, facts.sha256]);
  assert.deepEqual(hashes(await describeTree(target)), hashes(await describeTree(src)));
});
