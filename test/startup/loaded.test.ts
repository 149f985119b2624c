// Start-up loads only what the command needs, counted without any timing (README, "Performance":
// start-up). Native addons: `--version` and `--help` load none, `snapshots` only SQLite's (the
// catalog), while a command that reads blocks loads LMDB, zstd and BLAKE3 (the control: it shows
// the check sees addons). JavaScript: bin/dedupfs runs the bundle (dist/bundle/, yargs inside),
// so `snapshots` reads a handful of files of ours and, of npm packages, SQLite's binding only:
// nothing of the S3 client, LMDB, zstd, BLAKE3, xattrs or FUSE; and it starts Node without the V8
// flags that ingest gets; Node reads NODE_EXTRA_CA_CERTS only when a bucket is named. Run
// through bin/dedupfs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'dedupfs');
const REPORTER = fileURLToPath(new URL('../helpers/reportLoaded.js', import.meta.url));

/** The packages a listing never needs (their files, by the package folder's name). */
const HEAVY = ['@aws-sdk', 'lmdb', 'zstd-napi', '@napi-rs', 'fuse-native'];

interface Loaded { stdout: string; addons: string[]; packages: string[]; ours: string[]; execArgv: string[] }

/** Runs dedupfs; returns its stdout, the addons mapped and the JavaScript files loaded at exit. */
async function loadedBy(work: string, args: string[]): Promise<Loaded> {
  const report = join(work, 'loaded.json');
  await writeFile(report, 'not written\n');
  const r = await runCommand(BIN, args, {
    env: { ...process.env, DEDUPFS_REPO: join(work, 'repo'), DEDUPFS_TEST_LOADED: report, NODE_OPTIONS: `--import=${REPORTER}` },
  });
  assert.equal(r.code, 0, `dedupfs ${args.join(' ')}: ${r.stderr}`);
  const { addons, files, execArgv } = JSON.parse(await readFile(report, 'utf8')) as { addons: string[]; files: string[]; execArgv: string[] };
  const inPackage = (f: string) => f.split(sep).includes('node_modules');
  const packages = files.filter(inPackage).map((f) => {
    const [scope, name] = f.slice(f.lastIndexOf(`node_modules${sep}`)).split(sep).slice(1);
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  });
  return {
    stdout: r.stdout,
    addons: addons.map((p) => basename(p)).sort(),
    packages: [...new Set(packages)].sort(),
    ours: files.filter((f) => f.startsWith(join(ROOT, 'dist')) && !inPackage(f)).map((f) => f.slice(ROOT.length)),
    execArgv: execArgv.filter((a) => !a.startsWith('--import')),
  };
}

/** A repository of one small snapshot in `work`; returns what its ingest loaded. */
async function smallRepository(work: string): Promise<Loaded> {
  const src = join(work, 'src');
  await mkdir(src);
  await writeFile(join(src, 'a.txt'), 'start-up\n');
  await loadedBy(work, ['init', '-q']);
  return loadedBy(work, ['ingest', '-q', src]);
}

test('--version and --help load no native addon; snapshots loads only SQLite; cat loads the block store', async (t) => {
  const work = await tempDir(t);
  const version = await loadedBy(work, ['--version']);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  assert.deepEqual(version.addons, []);
  const help = await loadedBy(work, ['--help']);
  assert.match(help.stdout, /snapshots/);
  assert.deepEqual(help.addons, []);

  await smallRepository(work);
  const snapshots = await loadedBy(work, ['snapshots']);
  assert.match(snapshots.stdout, /1 snapshot/);
  assert.deepEqual(snapshots.addons, ['better_sqlite3.node']);
  const cat = await loadedBy(work, ['cat', 'latest:/a.txt']);
  assert.equal(cat.stdout, 'start-up\n');
  assert.ok(cat.addons.length >= 3 && cat.addons.includes('better_sqlite3.node'), `cat maps the block store's addons: ${cat.addons.join(', ')}`);
});

test('snapshots on a folder repository runs the bundle, without V8 flags, and loads no S3, LMDB, zstd or FUSE code', async (t) => {
  const work = await tempDir(t);
  const version = await loadedBy(work, ['--version']);
  assert.deepEqual(version.packages, [], '--version loads no npm package (yargs is in the bundle)');
  assert.ok(version.ours.length > 0 && version.ours.every((f) => f.startsWith(join('dist', 'bundle', sep))),
    `bin/dedupfs runs the bundle (if not: 'npm run build' after tsc): ${version.ours.join(', ')}`);

  // the V8 flags of the commands that move data (bin/dedupfs); a listing starts without them
  const ingest = await smallRepository(work);
  assert.deepEqual(ingest.execArgv, ['--max-semi-space-size=4', '--v8-pool-size=1']);
  for (const args of [['snapshots'], ['snapshots', '--json']]) {
    const snapshots = await loadedBy(work, args);
    assert.ok(snapshots.stdout.length > 0);
    assert.deepEqual(snapshots.packages.filter((p) => HEAVY.includes(p) || HEAVY.includes(p.split('/')[0])), [], `${args.join(' ')} loads: ${snapshots.packages.join(', ')}`);
    assert.ok(snapshots.packages.includes('better-sqlite3'), 'the catalog: it shows the report sees packages');
    // the bundle's shared parts grow in number with each command loaded lazily (7 when this was
    // written, 11 once encryption came); the unbundled CLI loads ~37 of ours, so 14 still fails it
    assert.ok(snapshots.ours.length <= 14, `${args.join(' ')} loads ${snapshots.ours.length} files of dist/: ${snapshots.ours.join(', ')}`);
    assert.deepEqual(snapshots.execArgv, []);
  }
  // the control: a command that reads blocks loads the block store's packages
  const cat = await loadedBy(work, ['cat', 'latest:/a.txt']);
  assert.ok(cat.packages.includes('lmdb') && cat.packages.includes('zstd-napi'), `cat loads: ${cat.packages.join(', ')}`);
});

test('Node reads NODE_EXTRA_CA_CERTS only for a command that names a bucket (s3:), the only place dedupfs uses TLS', async () => {
  // A file that does not exist: Node says so on stderr when, and only when, it reads the variable.
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/dedupfs-test-ca.pem', DEDUPFS_REPO: '/nonexistent/repo' };
  const folder = await runCommand(BIN, ['--version'], { env });
  assert.equal(folder.code, 0, folder.stderr);
  assert.doesNotMatch(folder.stderr, /extra certs/, 'a folder repository: Node starts without the file');
  for (const [args, repo] of [[['--version'], 's3:http://127.0.0.1:1/bucket'], [['--repo', 's3:http://127.0.0.1:1/bucket', '--version'], '/nonexistent/repo']] as const) {
    const bucket = await runCommand(BIN, [...args], { env: { ...env, DEDUPFS_REPO: repo } });
    assert.equal(bucket.code, 0, bucket.stderr);
    assert.match(bucket.stderr, /Ignoring extra certs from `\/nonexistent\/dedupfs-test-ca.pem`/, `${args.join(' ')} with DEDUPFS_REPO=${repo}: Node reads the file`);
  }
});
