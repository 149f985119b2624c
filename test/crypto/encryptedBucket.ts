// What the tests of encrypted repositories in a bucket share: a bucket on the real S3 server
// (test/s3/bucketRepo.ts), hosts with their own caches that give a password file, every object
// of the bucket with its bytes (read through the SDK, as anyone holding the bucket could), and
// file hashes to compare restores with.
import type { TestContext } from 'node:test';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openBackend } from '../../src/backend/openBackend.js';
import { tempDir } from '../helpers/tempDir.js';
import { host, type Host } from '../s3/bucketRepo.js';

/** A host whose commands read their password from a file holding `password`. */
export async function keyHost(t: TestContext, repo: string, password: string): Promise<Host & { passwordFile: string }> {
  const dir = await tempDir(t, 'dedupfs-pass-');
  const passwordFile = join(dir, 'pass');
  await writeFile(passwordFile, `${password}\n`);
  const h = await host(t, repo);
  return { cache: h.cache, passwordFile, run: (args, env = {}) => h.run(args, { DEDUPFS_PASSWORD_FILE: passwordFile, DEDUPFS_PASSWORD_COMMAND: undefined, ...env }) };
}

/** Every object of the repository at `repo` (an 's3:' location), key -> bytes. */
export async function objectsOf(repo: string): Promise<Map<string, Buffer>> {
  const backend = await openBackend(repo);
  try {
    const out = new Map<string, Buffer>();
    for await (const o of backend.list('')) out.set(o.key, await backend.get(o.key));
    return out;
  } finally {
    await backend.close();
  }
}

/** Path below `dir` -> SHA-256 of every file. */
export async function hashesUnder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    if (e.isFile()) out.set(path.slice(dir.length), createHash('sha256').update(await readFile(path)).digest('hex'));
  }
  return out;
}
