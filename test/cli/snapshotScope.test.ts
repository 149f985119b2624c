// A repository shared by two hosts: --host, --path and --tag narrow which snapshots `latest`,
// `latest~N` and id prefixes choose among, on every command that takes a snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT } from '../../src/ui/exitCodes.js';
import { runCli } from '../helpers/cli.js';
import { startMount } from '../mount/mountProcess.js';
import { tempDir } from '../helpers/tempDir.js';

interface Snap { id: string; host: string; paths: string[]; tags: string[] }

test('--host, --path and --tag scope latest, latest~N and prefixes on restore, cat, ls, stats, mount, and forget (named and by policy)', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  const web = join(dir, 'web'), db = join(dir, 'db');
  await mkdir(web);
  await mkdir(db);
  const run = async (args: string[]) => {
    const r = await runCli(args, { repo });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await run(['init', '-q']);
  // web1 twice (tagged differently), then db1 last: the repository's newest is db1's.
  await writeFile(join(web, 'f.txt'), 'web one\n');
  await run(['ingest', '--init', '-q', '--host', 'web1', '--tag', 'daily', web]);
  await writeFile(join(web, 'f.txt'), 'web two\n');
  await run(['ingest', '--init', '-q', '--host', 'web1', '--tag', 'hourly', web]);
  await writeFile(join(db, 'f.txt'), 'db\n');
  await run(['ingest', '--init', '-q', '--host', 'db1', db]);
  const snaps = JSON.parse(await run(['snapshots', '--json'])) as Snap[];
  const [webDaily, webHourly, dbOnly] = snaps;

  assert.equal(await run(['cat', 'latest:/f.txt']), 'db\n');
  assert.equal(await run(['cat', '--host', 'web1', 'latest:/f.txt']), 'web two\n');
  assert.equal(await run(['cat', 'latest~1:/f.txt', '--host', 'web1']), 'web one\n');
  assert.equal(await run(['cat', '--tag', 'daily', 'latest:/f.txt']), 'web one\n');
  assert.equal(await run(['cat', '--path', web, 'latest:/f.txt']), 'web two\n');
  assert.equal(await run(['cat', '--host', 'web1', '--tag', 'daily', 'latest:/f.txt']), 'web one\n');

  await run(['restore', '-q', '--host', 'web1', 'latest', join(dir, 'r')]);
  assert.equal(await readFile(join(dir, 'r', 'f.txt'), 'utf8'), 'web two\n');
  assert.match(await run(['ls', '--host', 'db1', '--json', 'latest']), new RegExp(`"snapshot":"${dbOnly.id}"`));
  assert.equal(JSON.parse(await run(['stats', '--json', '--host', 'web1', 'latest'])).id, webHourly.id);
  assert.deepEqual((JSON.parse(await run(['snapshots', '--json', '--host', 'web1'])) as Snap[]).map((s) => s.id), [webDaily.id, webHourly.id]);
  assert.deepEqual((JSON.parse(await run(['snapshots', '--json', '--path', db])) as Snap[]).map((s) => s.id), [dbOnly.id]);

  // A prefix outside the scope is not found; the message names the scope.
  const outside = await runCli(['cat', '--host', 'db1', `${webDaily.id.slice(0, 8)}:/f.txt`], { repo });
  assert.equal(outside.code, EXIT.ERROR);
  assert.match(outside.stderr, new RegExp(`no snapshot of host db1 matches '${webDaily.id.slice(0, 8)}'`));
  const tooFar = await runCli(['ls', '--host', 'db1', 'latest~1'], { repo });
  assert.equal(tooFar.code, EXIT.ERROR);
  assert.match(tooFar.stderr, /'latest~1': there is only 1 snapshot of host db1/);
  const none = await runCli(['ls', '--host', 'nobody', 'latest'], { repo });
  assert.match(none.stderr, /there are no snapshots of host nobody/);

  const mountpoint = join(dir, 'mnt');
  await mkdir(mountpoint);
  const mount = await startMount(t, { repo, mountpoint, args: ['--snapshot', 'latest', '--host', 'web1'] });
  assert.match(mount.stdout(), new RegExp(`snapshot ${webHourly.id.slice(0, 8)}`));
  assert.equal(await readFile(join(mountpoint, 'f.txt'), 'utf8'), 'web two\n');
  assert.equal((await runCli(['umount', '-q', mountpoint])).code, 0);
  await mount.exited;
  const catalog = await startMount(t, { repo, mountpoint, args: ['--host', 'db1'] });
  assert.deepEqual(await readdir(join(mountpoint, 'hosts')), ['db1']);
  assert.deepEqual(await readdir(join(mountpoint, 'ids')), [dbOnly.id.slice(0, 8)]);
  assert.equal((await runCli(['umount', '-q', mountpoint])).code, 0);
  await catalog.exited;

  // A policy judges only the snapshots of --path (in one group, db1's would be kept instead).
  await run(['forget', '-q', '--path', web, '--keep-last', '1', '--group-by', '']);
  assert.deepEqual((JSON.parse(await run(['snapshots', '--json'])) as Snap[]).map((s) => s.id), [webHourly.id, dbOnly.id]);
  // forget latest --host web1 removes web1's newest, not the repository's newest.
  await run(['forget', '-q', '--host', 'web1', 'latest']);
  assert.deepEqual((JSON.parse(await run(['snapshots', '--json'])) as Snap[]).map((s) => s.id), [dbOnly.id]);
});
