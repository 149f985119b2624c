// dedupfs completion: the bash script loads in a real bash and completes commands, options and
// the snapshot ids of the repository (asked of dedupfs at completion time); the zsh and fish
// scripts carry the same words.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../../src/ui/exitCodes.js';
import { runCli, runCommand } from '../helpers/cli.js';
import { tempRepoPath } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

const COMMAND = fileURLToPath(new URL('../../../bin/dedupfs', import.meta.url));

/** What the bash script offers for the words `words` (the last one being completed). */
async function complete(script: string, words: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = await runCommand('bash', ['-c', `source ${script} && COMP_WORDS=(${quoted}) && COMP_CWORD=${words.length - 1} && _dedupfs && printf '%s\\n' "\${COMPREPLY[@]}"`],
    { env: { ...process.env, ...env } });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

it('completes commands, options and snapshot ids in bash', async (t) => {
  const printed = await runCli(['completion', 'bash']);
  assert.equal(printed.code, 0, printed.stderr);
  const script = join(await tempDir(t), 'dedupfs.bash');
  await writeFile(script, printed.stdout);
  assert.equal((await runCommand('bash', ['-n', script])).stderr, '');

  assert.deepEqual(await complete(script, ['dedupfs', 'sn']), ['snapshots']);
  assert.deepEqual(await complete(script, ['dedupfs', '--repo', '/x', 'fi']), ['find']);
  assert.deepEqual(await complete(script, ['dedupfs', 'tag', 'latest', '--a']), ['--add']);
  assert.deepEqual(await complete(script, ['dedupfs', 'forget', '--keep-d']), ['--keep-daily']);
  assert.deepEqual(await complete(script, ['dedupfs', 'ls', '--j']), ['--json']);

  const src = await tempDir(t);
  const repo = await tempRepoPath(t);
  await writeFile(join(src, 'f'), 'x');
  const ingested = await runCli(['ingest', '--init', '-q', '--json', src], { repo });
  const id = (JSON.parse(ingested.stdout) as { id: string }).id;
  assert.deepEqual(await complete(script, [COMMAND, 'diff', ''], { DEDUPFS_REPO: repo }), [id.slice(0, 8), 'latest']);
  assert.deepEqual(await complete(script, [COMMAND, '--repo', repo, 'find', 'x', '--snapshot', ''], { DEDUPFS_REPO: '/nonexistent' }), [id.slice(0, 8), 'latest']);
  assert.deepEqual(await complete(script, [COMMAND, 'tag', id.slice(0, 3)], { DEDUPFS_REPO: repo }), [id.slice(0, 8)]);
  // Not the PATH part of SNAPSHOT:PATH.
  assert.deepEqual(await complete(script, [COMMAND, 'ls', 'latest', ':', ''], { DEDUPFS_REPO: repo }), []);
  // No repository: no ids, no noise.
  assert.deepEqual(await complete(script, [COMMAND, 'ls', ''], { DEDUPFS_REPO: '/nonexistent' }), ['latest']);
  // Commands that take no snapshot fall back to file names (complete -o default).
  assert.deepEqual(await complete(script, [COMMAND, 'ingest', ''], { DEDUPFS_REPO: repo }), []);
});

it('prints zsh and fish scripts with the same commands and options, and refuses other shells', async () => {
  const zsh = await runCli(['completion', 'zsh']);
  assert.equal(zsh.code, 0, zsh.stderr);
  assert.match(zsh.stdout, /^# .*\nautoload -U \+X bashcompinit && bashcompinit\n/);
  assert.match(zsh.stdout, /complete -o default -F _dedupfs dedupfs\n$/);
  const fish = await runCli(['completion', 'fish']);
  assert.equal(fish.code, 0, fish.stderr);
  for (const line of ['complete -c dedupfs -n "__fish_seen_subcommand_from tag" -l add', 'complete -c dedupfs -s q',
    'complete -c dedupfs -n "__fish_seen_subcommand_from diff" -a "(__dedupfs_snapshot_ids)"']) {
    assert.ok(fish.stdout.includes(`${line}\n`), line);
  }
  assert.match(fish.stdout, /-a "init ingest snapshots .*diff find tag key completion"/);
  const other = await runCli(['completion', 'tcsh']);
  assert.equal(other.code, EXIT.USAGE);
});
