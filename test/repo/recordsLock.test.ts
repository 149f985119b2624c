// The records lock (tag, forget) on real repositories through the real CLI: it conflicts with
// itself and with exclusive, not with shared. A live records lock held by another process makes
// tag and forget fail with exit status 11 and change nothing, while ingest and restore go on;
// two tags of one snapshot started at once both land, on one snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock } from '../../src/repo/lock.js';
import { DedupfsError } from '../../src/core/errors.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const lockModule = fileURLToPath(new URL('../../src/repo/lock.js', import.meta.url));

interface Listed { id: string; tags: string[] }

async function snapshots(repo: string): Promise<Listed[]> {
  const r = await runCli(['snapshots', '--json'], { repo });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Listed[];
}

async function recordFiles(repo: string): Promise<string[]> {
  return (await readdir(join(repo, 'snapshots'))).filter((n) => !n.startsWith('.')).sort();
}

// A repository with one snapshot of a small folder.
async function setup(t: Parameters<typeof tempDir>[0]): Promise<{ dir: string; repo: string; src: string }> {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'a.txt'), 'first\n');
  const r = await runCli(['ingest', '--init', '-q', src], { repo });
  assert.equal(r.code, 0, r.stderr);
  return { dir, repo, src };
}

test('records locks conflict with each other and with exclusive, not with shared', async (t) => {
  const { repo } = await setup(t);
  const isLocked = (err: unknown) => err instanceof DedupfsError && err.code === 'LOCKED';
  const r = await acquireLock(repo, { kind: 'records', command: 'tag' });
  await assert.rejects(acquireLock(repo, { kind: 'records', command: 'forget' }), isLocked);
  await assert.rejects(acquireLock(repo, { kind: 'exclusive', command: 'gc' }), isLocked);
  const s = await acquireLock(repo, { kind: 'shared', command: 'ingest' });
  await r.release();
  await assert.rejects(acquireLock(repo, { kind: 'exclusive', command: 'gc' }), isLocked);
  await s.release();
  const x2 = await acquireLock(repo, { kind: 'exclusive', command: 'gc' });
  await assert.rejects(acquireLock(repo, { kind: 'records', command: 'tag' }), isLocked);
  await x2.release();
});

test('a records lock held by another process: tag and forget exit 11 and change nothing; ingest and restore work', async (t) => {
  const { dir, repo, src } = await setup(t);
  const script = `
    const { acquireLock } = await import(process.argv[1]);
    await acquireLock(process.argv[2], { kind: 'records', command: 'child-tag' });
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, lockModule, repo], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  await once(child.stdout!, 'data');
  const before = await snapshots(repo);
  const filesBefore = await recordFiles(repo);

  const tag = await runCli(['tag', 'latest', '--add', 'x'], { repo });
  assert.equal(tag.code, 11, tag.stderr);
  assert.match(tag.stderr, /locked by child-tag \(pid \d+/);
  const forget = await runCli(['forget', 'latest'], { repo });
  assert.equal(forget.code, 11, forget.stderr);
  assert.deepEqual(await snapshots(repo), before, 'the catalog is unchanged');
  assert.deepEqual(await recordFiles(repo), filesBefore, 'the snapshot records are unchanged');

  await writeFile(join(src, 'b.txt'), 'second\n');
  const ingest = await runCli(['ingest', '-q', src], { repo });
  assert.equal(ingest.code, 0, ingest.stderr);
  assert.equal((await snapshots(repo)).length, 2);
  const target = join(dir, 'restored');
  const restore = await runCli(['restore', '-q', 'latest', target], { repo });
  assert.equal(restore.code, 0, restore.stderr);
  assert.equal(await readFile(join(target, 'b.txt'), 'utf8'), 'second\n');

  child.kill('SIGKILL');
  await once(child, 'exit');
  const after = await runCli(['tag', 'latest', '--add', 'x', '-q'], { repo });
  assert.equal(after.code, 0, after.stderr);
});

test('two tags of one snapshot at once, with --lock-wait: one snapshot carrying both tags, every round', async (t) => {
  const { repo } = await setup(t);
  for (let round = 0; round < 4; round++) {
    const [a, b] = await Promise.all([
      runCli(['tag', 'latest', '--add', `a${round}`, '--lock-wait', '30s', '-q'], { repo }),
      runCli(['tag', 'latest', '--add', `b${round}`, '--lock-wait', '30s', '-q'], { repo }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const listed = await snapshots(repo);
    assert.equal(listed.length, 1, `round ${round}: ${JSON.stringify(listed)}`);
    for (let r = 0; r <= round; r++) {
      assert.ok(listed[0]!.tags.includes(`a${r}`) && listed[0]!.tags.includes(`b${r}`), `round ${round}: tags ${listed[0]!.tags.join(',')}`);
    }
    assert.deepEqual(await recordFiles(repo), [`${listed[0]!.id}.json`], `round ${round}: one record file`);
  }
});
