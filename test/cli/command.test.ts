// bin/dedupfs, the command npm puts on the PATH: a file that sh and then Node read, starting the
// CLI (with V8 settings for the commands that move data). It must work through a symlink (that is how npm links it), hand every argument over
// unchanged, and give back the CLI's exit status.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../../src/ui/exitCodes.js';
import { runCommand } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const COMMAND = fileURLToPath(new URL('../../../bin/dedupfs', import.meta.url));
const VERSION = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;

it('runs through a symlink, passes arguments unchanged and returns the exit status', async (t) => {
  const dir = await tempDir(t);
  const linked = join(dir, 'bin', 'dedupfs');
  await mkdir(join(dir, 'bin'));
  await symlink(COMMAND, linked);

  const version = await runCommand(linked, ['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), VERSION);

  const src = join(dir, 'a folder with  two spaces');
  await mkdir(src);
  await writeFile(join(src, 'file'), 'content');
  const env = { ...process.env, DEDUPFS_REPO: join(dir, 'repo') };
  const ingest = await runCommand(linked, ['ingest', '--init', '--quiet', '--json', src], { env });
  assert.equal(ingest.code, 0, ingest.stderr);
  assert.deepEqual(JSON.parse(ingest.stdout).paths, [src]);

  const missing = await runCommand(linked, ['snapshots', '--repo', join(dir, 'no-such-repo')]);
  assert.equal(missing.code, EXIT.NO_REPOSITORY);
  assert.match(missing.stderr, /no-such-repo does not exist/);
});
