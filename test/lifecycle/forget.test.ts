// `dedupfs forget` end to end on a small calendar of real snapshots: host alpha has one
// snapshot a day at noon from Saturday 2025-03-01 to Sunday 03-09, plus two on Monday 03-10
// (08:00 and 20:00); host beta has two. ISO weeks: 03-01..02 are week 9, 03-03..09 week 10,
// 03-10 week 11. Each expectation below is worked out by hand from that calendar.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { copyRepo, ingestAt } from './fixtures.js';

let base: string;
let work: string;
const ids = new Map<string, string>(); // 'alpha 2025-03-10T20' -> id

const ALPHA_TIMES = [
  ...Array.from({ length: 9 }, (_, i) => `2025-03-0${i + 1}T12:00:00.000Z`),
  '2025-03-10T08:00:00.000Z', '2025-03-10T20:00:00.000Z',
];
const BETA_TIMES = ['2025-03-04T06:00:00.000Z', '2025-03-05T06:00:00.000Z'];
const key = (host: string, iso: string) => `${host} ${iso.slice(0, 13)}`;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'dedupfs-forget-'));
  base = join(work, 'repo');
  const src = join(work, 'src');
  for (const [host, times] of [['alpha', ALPHA_TIMES], ['beta', BETA_TIMES]] as const) {
    for (const iso of times) {
      await rm(src, { recursive: true, force: true });
      await mkdir(src);
      await writeFile(join(src, 'note.txt'), `${host} at ${iso}\n`);
      ids.set(key(host, iso), (await ingestAt(base, src, { time: new Date(iso), host })).id);
    }
  }
});

after(() => rm(work, { recursive: true, force: true }));

async function freshRepo(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const repo = join(await tempDir(t), 'repo');
  await copyRepo(base, repo);
  return repo;
}

async function snapshotIds(repo: string): Promise<string[]> {
  const r = await runCli(['snapshots', '--json'], { repo });
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as Array<{ id: string }>).map((s) => s.id).sort();
}

const alpha = (iso: string) => ids.get(key('alpha', iso))!;
const beta = (iso: string) => ids.get(key('beta', iso))!;

test('keep-daily 3 and keep-weekly 2 keep the newest of the last days and weeks, per host', async (t) => {
  const repo = await freshRepo(t);
  const r = await runCli(['forget', '--keep-daily', '3', '--keep-weekly', '2', '--json'], { repo });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.type, 'summary');
  assert.equal(out.dry_run, false);
  assert.deepEqual(out.groups.map((g: any) => g.key.host), ['alpha', 'beta']);
  const [a, b] = out.groups;
  assert.deepEqual(a.keep.map((k: any) => [k.id, k.reasons]), [
    [alpha('2025-03-10T20:00:00.000Z'), ['daily snapshot', 'weekly snapshot']],
    [alpha('2025-03-09T12:00:00.000Z'), ['daily snapshot', 'weekly snapshot']],
    [alpha('2025-03-08T12:00:00.000Z'), ['daily snapshot']],
  ]);
  assert.equal(a.remove.length, 8);
  assert.deepEqual(b.keep.map((k: any) => k.id), [beta('2025-03-05T06:00:00.000Z'), beta('2025-03-04T06:00:00.000Z')]);
  assert.deepEqual(b.remove, []);
  const kept = [alpha('2025-03-10T20:00:00.000Z'), alpha('2025-03-09T12:00:00.000Z'), alpha('2025-03-08T12:00:00.000Z'),
    beta('2025-03-05T06:00:00.000Z'), beta('2025-03-04T06:00:00.000Z')].sort();
  assert.deepEqual(await snapshotIds(repo), kept);
  assert.deepEqual([...out.removed].sort(), [...ids.values()].filter((id) => !kept.includes(id)).sort());
  for (const id of out.removed) assert.ok(!existsSync(join(repo, 'snapshots', `${id}.json`)), 'the snapshot file is gone');
});

test('--dry-run prints the same decisions and removes nothing', async (t) => {
  const repo = await freshRepo(t);
  const r = await runCli(['forget', '--keep-last', '2', '--dry-run'], { repo });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /host alpha, paths .*: keep 2, remove 9/);
  assert.match(r.stdout, /keep\s+[0-9a-f]{8}\s+2025-03-10 20:00:00Z\s+last snapshot/);
  assert.match(r.stdout, /dry run: would remove 9 snapshots, keep 4/);
  assert.equal((await snapshotIds(repo)).length, 13);
});

test('a policy that keeps nothing of a group, or no policy at all, is refused', async (t) => {
  const repo = await freshRepo(t);
  const r = await runCli(['forget', '--keep-tag', 'never-used', '--json'], { repo });
  assert.equal(r.code, 2);
  assert.equal(JSON.parse(r.stderr).code, 'USAGE');
  assert.match(JSON.parse(r.stderr).message, /keeps no snapshot of host alpha/);
  const none = await runCli(['forget', '--keep-last', '0'], { repo });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /needs snapshots to remove or a policy/);
  const both = await runCli(['forget', '--keep-last', '1', 'latest'], { repo });
  assert.equal(both.code, 2);
  assert.equal((await snapshotIds(repo)).length, 13, 'nothing was removed');
});

test('named snapshots are removed, also a whole group', async (t) => {
  const repo = await freshRepo(t);
  const b1 = beta('2025-03-04T06:00:00.000Z'), b2 = beta('2025-03-05T06:00:00.000Z');
  const r = await runCli(['forget', b1.slice(0, 10), b2, '--json'], { repo });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).removed, [b2, b1]);
  assert.equal((await snapshotIds(repo)).length, 11);
  const unknown = await runCli(['forget', 'ffff0000'], { repo });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no snapshot matches/);
});

test('--host limits the policy to one host; --group-by "" judges all snapshots as one group', async (t) => {
  const repo = await freshRepo(t);
  const r = await runCli(['forget', '--host', 'beta', '--keep-last', '1', '--json'], { repo });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).removed, [beta('2025-03-04T06:00:00.000Z')]);
  const one = await runCli(['forget', '--group-by', '', '--keep-last', '1', '--json'], { repo });
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(JSON.parse(one.stdout).groups.map((g: any) => g.key), [{}]);
  assert.deepEqual(await snapshotIds(repo), [alpha('2025-03-10T20:00:00.000Z')]);
  const bad = await runCli(['forget', '--group-by', 'host,colour', '--keep-last', '1'], { repo });
  assert.equal(bad.code, 2);
});

test('--gc frees the space of what was forgotten', async (t) => {
  const repo = await freshRepo(t);
  const r = await runCli(['forget', '--keep-last', '1', '--gc', '--json'], { repo });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.removed.length, 11);
  assert.ok(out.gc.result.freedBytes > 0, 'gc freed bytes');
  assert.equal(out.gc.snapshots, 2);
  const check = await runCli(['check', '--read-data'], { repo });
  assert.equal(check.code, 0, check.stdout + check.stderr);
});
