// What the tests of repositories in a bucket share: a new bucket per test (s3TestServer.ts), a
// local cache per simulated host (XDG_CACHE_HOME), and the CLI run against both.
import type { TestContext } from 'node:test';
import { formatS3Location } from '../../src/backend/parseRepoLocation.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { describeTree } from '../helpers/sourceTree.js';
import { testBucket } from '../backend/s3TestServer.js';

export { skipS3 } from '../backend/s3TestServer.js';

/** An 's3:' location for a new, empty bucket (removed after the test). */
export async function bucketRepo(t: TestContext, prefix = 'repo'): Promise<string> {
  return formatS3Location(await testBucket(t, prefix));
}

/** A host: its own cache folder, and the CLI run with it. */
export interface Host {
  cache: string;
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
}

export async function host(t: TestContext, repo: string): Promise<Host> {
  const cache = await tempDir(t, 'dedupfs-cache-');
  return { cache, run: (args, env = {}) => runCli(args, { repo, env: { XDG_CACHE_HOME: cache, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env } }) };
}

/** Runs and asserts exit status 0, returning stdout parsed as JSON when `json`. */
export async function ok(h: Host, args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  const r = await h.run(args, env);
  if (r.code !== 0) throw new Error(`dedupfs ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** Path -> size and SHA-256 of every file under `root`: what the tests of lost uploads compare. */
export async function contentOf(root: string): Promise<Map<string, string>> {
  const facts = await describeTree(root);
  return new Map([...facts].filter(([, f]) => f.kind === 'file').map(([path, f]) => [path, `${f.size} ${f.sha256}`]));
}
