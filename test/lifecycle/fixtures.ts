// What the lifecycle tests share: ingesting a folder at a chosen time through the library, the
// content of a tree as comparable facts, restoring a snapshot through the real CLI and comparing
// it with what was ingested, copying a repository so each damage starts from the same state,
// and the bytes its packs take on disk.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from '../../src/ingest/ingest.js';
import { openRepository } from '../../src/repo/repository.js';
import { repoLayout } from '../../src/core/layout.js';
import { listPacks } from '../../src/store/listPacks.js';
import { runCli } from '../helpers/cli.js';
import { describeTree } from '../helpers/sourceTree.js';
import { tempDir } from '../helpers/tempDir.js';

export interface IngestedSnapshot { id: string; facts: Map<string, string> }

/** Ingests `dir` as one snapshot (recorded at `time`, if given) and notes what it held. */
export async function ingestAt(repoDir: string, dir: string, opts: { time?: Date; tags?: string[]; host?: string } = {}): Promise<IngestedSnapshot> {
  const repo = await openRepository(repoDir, { lock: 'shared', command: 'test', create: true });
  try {
    const { snapshot } = await ingest(repo, { paths: [dir], time: opts.time, tags: opts.tags, host: opts.host });
    return { id: snapshot.id, facts: await contentFacts(dir) };
  } finally {
    await repo.close();
  }
}

/** Path -> kind, size and content hash (or link target) of every entry under `dir`. */
export async function contentFacts(dir: string): Promise<Map<string, string>> {
  const facts = new Map<string, string>();
  for (const [path, f] of await describeTree(dir)) facts.set(path, `${f.kind} ${f.kind === 'dir' ? '' : f.size} ${f.sha256 ?? f.target ?? ''}`);
  return facts;
}

/** Restores `snap` with `dedupfs restore` and asserts it holds exactly what was ingested. */
export async function assertRestoresIdentical(repoDir: string, snap: IngestedSnapshot): Promise<void> {
  const target = await mkdtemp(join(tmpdir(), 'dedupfs-restored-'));
  try {
    const r = await runCli(['restore', snap.id, target], { repo: repoDir });
    assert.equal(r.code, 0, `restore ${snap.id.slice(0, 8)} failed: ${r.stderr}`);
    assert.deepEqual(await contentFacts(target), snap.facts, `snapshot ${snap.id.slice(0, 8)} does not restore identical`);
  } finally {
    await rm(target, { recursive: true, force: true });
  }
}

/** Runs `dedupfs check` (with extra args) and returns its JSON report and exit status. */
export async function checkJson(repoDir: string, ...args: string[]): Promise<{ code: number | null; report: any; stderr: string }> {
  const r = await runCli(['check', '--json', ...args], { repo: repoDir });
  return { code: r.code, report: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

/** Bytes of every pack file, sealed and unsealed. */
export async function packBytes(repoDir: string): Promise<number> {
  const listing = await listPacks(repoLayout(repoDir));
  return [...listing.sealed, ...listing.unsealed].reduce((n, p) => n + p.size, 0);
}

/** Copies a whole repository folder (closed, unlocked) to `to`. */
export async function copyRepo(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  await cp(from, to, { recursive: true });
}

export interface TwoSnapshots { repo: string; src1: string; src2: string; s1: IngestedSnapshot; s2: IngestedSnapshot }

/**
 * A repository in `dir`/repo with two snapshots, each ingest sealing its own pack:
 * s1 of src1 = keep.txt, a.bin (600 KiB random), shared.bin (600 KiB random), sub/deep.txt;
 * s2 of src2 = the same but b.bin instead of a.bin. Pack 1 holds everything of s1; pack 2 only
 * b.bin and s2's trees (the file contents deduplicate against pack 1; the trees differ, as their
 * entries carry other inodes and times).
 */
export async function twoSnapshots(dir: string): Promise<TwoSnapshots> {
  const shared = randomBytes(600 * 1024);
  const make = async (name: string, own: string) => {
    const src = join(dir, name);
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'keep.txt'), 'kept in both\n');
    await writeFile(join(src, own), randomBytes(600 * 1024));
    await writeFile(join(src, 'shared.bin'), shared);
    await writeFile(join(src, 'sub', 'deep.txt'), 'deep down\n');
    return src;
  };
  const repo = join(dir, 'repo');
  const src1 = await make('src1', 'a.bin');
  const src2 = await make('src2', 'b.bin');
  const s1 = await ingestAt(repo, src1, { time: new Date('2025-01-01T00:00:00Z') });
  const s2 = await ingestAt(repo, src2, { time: new Date('2025-01-02T00:00:00Z') });
  return { repo, src1, src2, s1, s2 };
}

/**
 * The two-snapshot repository, built once for a test file (in its before hook) and removed
 * after it; freshRepo(t) gives each test a private copy to damage.
 */
export function sharedTwoSnapshots(prefix: string): { readonly fx: TwoSnapshots; freshRepo(t: Parameters<typeof tempDir>[0]): Promise<string> } {
  let work = '';
  let fx: TwoSnapshots | undefined;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), prefix));
    fx = await twoSnapshots(work);
  });
  after(() => rm(work, { recursive: true, force: true }));
  return {
    get fx() { return fx!; },
    async freshRepo(t) {
      const repo = join(await tempDir(t), 'repo');
      await copyRepo(fx!.repo, repo);
      return repo;
    },
  };
}
