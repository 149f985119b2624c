// Small repositories for restore tests: a source folder built by the test, ingested with the
// library (faster than the CLI), and helpers to restore it or open it again.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Snapshot } from '../../src/catalog/snapshotRecord.js';
import { ingest } from '../../src/ingest/ingest.js';
import { restoreSnapshot, type RestoreOptions, type RestoreResult } from '../../src/restore/restoreSnapshot.js';
import { openTestRepo } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

export interface Fixture { dir: string; src: string; repoDir: string; snapshot: Snapshot }

/** Builds a source folder with `build`, ingests it, and returns where everything is. */
export async function ingestedTree(t: TestContext, build: (src: string) => Promise<void>): Promise<Fixture> {
  const dir = await tempDir(t, 'dedupfs-restore-');
  const src = join(dir, 'src');
  const repoDir = join(dir, 'repo');
  await mkdir(src);
  await build(src);
  const repo = await openTestRepo(t, repoDir);
  const { snapshot } = await ingest(repo, { paths: [src] });
  await repo.close();
  return { dir, src, repoDir, snapshot };
}

/** restoreSnapshot on a freshly opened repository, with warnings collected. */
export async function restoreWith(t: TestContext, repoDir: string, opts: Omit<RestoreOptions, 'snapshot'> & { snapshot?: string }): Promise<RestoreResult & { messages: string[] }> {
  const repo = await openTestRepo(t, repoDir);
  const messages: string[] = [];
  try {
    const result = await restoreSnapshot(repo, { snapshot: 'latest', ...opts, reporter: { warning: (m) => messages.push(m) } });
    return { ...result, messages };
  } finally {
    await repo.close();
  }
}
