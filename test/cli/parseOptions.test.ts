// The command line as scripts write it: a repeatable option takes one value per flag in any
// position and never swallows the paths after it (which once dropped a folder from a backup
// silently), `--` ends the options, and unknown commands, options and words are named as such
// (exit 2) without anything being stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT } from '../../src/ui/exitCodes.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

interface Scratch { dir: string; etc: string; home: string; dash: string; repo: string }

/** Two small source folders (each with a .log and a .tmp file) and a folder named "-dash". */
async function scratch(t: import('node:test').TestContext): Promise<Scratch> {
  const dir = await tempDir(t);
  const etc = join(dir, 'etc'), home = join(dir, 'home'), dash = join(dir, '-dash');
  for (const folder of [etc, home, dash]) {
    await mkdir(folder);
    await writeFile(join(folder, 'keep.txt'), `kept in ${folder}\n`);
    await writeFile(join(folder, 'noise.log'), 'log\n');
    await writeFile(join(folder, 'junk.tmp'), 'tmp\n');
  }
  return { dir, etc, home, dash, repo: join(dir, 'repo') };
}

/** The newest snapshot's record and every path in it (recursive ls). */
async function latest(repo: string): Promise<{ tags: string[]; paths: string[]; entries: string[] }> {
  const snaps = await runCli(['snapshots', '--json'], { repo });
  assert.equal(snaps.code, 0, snaps.stderr);
  const { tags, paths } = (JSON.parse(snaps.stdout) as Array<{ tags: string[]; paths: string[] }>).at(-1)!;
  const ls = await runCli(['ls', '-R', 'latest'], { repo });
  assert.equal(ls.code, 0, ls.stderr);
  return { tags, paths, entries: ls.stdout.trim().split('\n').sort() };
}

async function ingest(s: Scratch, args: string[]): Promise<void> {
  const r = await runCli(['ingest', '--init', '-q', ...args], { repo: s.repo, cwd: s.dir });
  assert.equal(r.code, 0, `ingest ${args.join(' ')}: ${r.stderr}`);
}

test('repeatable options take one value per flag, anywhere, and never eat a path', async (t) => {
  const s = await scratch(t);
  assert.equal((await runCli(['init', '-q'], { repo: s.repo })).code, 0);
  const excludes = join(s.dir, 'excludes');
  await writeFile(excludes, '*.tmp\n');

  await ingest(s, ['--tag', 'daily', s.etc]);
  assert.deepEqual(await latest(s.repo), { tags: ['daily'], paths: [s.etc], entries: ['junk.tmp', 'keep.txt', 'noise.log'] });

  await ingest(s, ['--tag=daily', s.etc]);
  assert.deepEqual((await latest(s.repo)).tags, ['daily']);

  await ingest(s, ['--exclude', '*.tmp', s.etc]);
  assert.deepEqual((await latest(s.repo)).entries, ['keep.txt', 'noise.log']);

  await ingest(s, ['--exclude-file', excludes, s.etc]);
  assert.deepEqual((await latest(s.repo)).entries, ['keep.txt', 'noise.log']);

  // The option between the paths once took `home` as a second pattern: home was left out.
  await ingest(s, [s.etc, '--exclude', '*.log', s.home]);
  assert.deepEqual(await latest(s.repo), {
    tags: [], paths: [s.etc, s.home],
    entries: ['etc', 'etc/junk.tmp', 'etc/keep.txt', 'home', 'home/junk.tmp', 'home/keep.txt'],
  });

  await ingest(s, ['--tag', 'a', s.etc, '--tag', 'b', '--exclude=*.log', '--exclude', '*.tmp', s.home]);
  assert.deepEqual(await latest(s.repo), { tags: ['a', 'b'], paths: [s.etc, s.home], entries: ['etc', 'etc/keep.txt', 'home', 'home/keep.txt'] });

  // `--` ends the options: a folder named "-dash" after it is a path.
  await ingest(s, ['--exclude', '*.log', s.etc, '--', '-dash']);
  assert.deepEqual(await latest(s.repo), {
    tags: [], paths: [s.etc, s.dash],
    entries: ['-dash', '-dash/junk.tmp', '-dash/keep.txt', 'etc', 'etc/junk.tmp', 'etc/keep.txt'],
  });

  const missing = await runCli(['ingest', '--init', s.etc, '--tag'], { repo: s.repo });
  assert.equal(missing.code, EXIT.USAGE, missing.stderr);
  assert.match(missing.stderr, /^dedupfs: option '--tag' needs a value$/m);

  const target = join(s.dir, 'restored');
  const restore = await runCli(['restore', '-q', '--include', '*.txt', 'latest', target, '--exclude=-dash'], { repo: s.repo });
  assert.equal(restore.code, 0, restore.stderr);
  assert.equal(existsSync(join(target, 'etc', 'keep.txt')), true);
  assert.equal(existsSync(join(target, 'etc', 'junk.tmp')), false);
  assert.equal(existsSync(join(target, '-dash')), false);

  const tagged = await runCli(['snapshots', '--json', '--tag', 'a', '--tag', 'b'], { repo: s.repo });
  assert.equal(JSON.parse(tagged.stdout).length, 1, tagged.stdout);
});

test('every array option of every command is declared repeatable (one value per flag)', async () => {
  const top = await runCli(['--help']);
  const commands = [...top.stdout.matchAll(/^ {2}dedupfs (\S+)/gm)].map((m) => m[1]);
  assert.ok(commands.length >= 15, top.stdout);
  for (const command of commands) {
    const help = await runCli([command, '--help']);
    const options = help.stdout.slice(help.stdout.indexOf('Options:')).split('\n\n')[0];
    for (const line of options.split('\n').filter((l) => l.includes('[array]'))) {
      assert.match(line, /\(repeatable\)/, `${command}: ${line}`);
    }
  }
});

test('unknown commands, options and words are named, exit 2, and store nothing', async (t) => {
  const s = await scratch(t);
  const cases: Array<[string[], RegExp, RegExp]> = [
    [['frobnicate'], /^dedupfs: unknown command 'frobnicate'\n/, /see 'dedupfs --help'/],
    [['snapshot'], /^dedupfs: unknown command 'snapshot'\n/, /did you mean 'snapshots'\?/],
    [['--repo', s.repo, 'frobnicate', s.etc], /^dedupfs: unknown command 'frobnicate'\n/, /dedupfs --help/],
    [['frobnicate', '--tag', 'x'], /^dedupfs: unknown command 'frobnicate'\n/, /dedupfs --help/],
    // The unknown option is reported as an option; the path after it is not its value.
    [['ingest', '--init', '--frob', s.etc], /^dedupfs: unknown option '--frob'\n/, /dedupfs ingest --help/],
    [['ingest', '--init', s.etc, '-z'], /^dedupfs: unknown option '-z'\n/, /dedupfs ingest --help/],
    [['restore', '--frob', 'latest', s.dir], /^dedupfs: unknown option '--frob'\n/, /dedupfs restore --help/],
    [['ls', '-lRx', 'latest'], /^dedupfs: unknown option '-x'\n/, /dedupfs ls --help/],
    [['snapshots', '--verbose=2'], /^dedupfs: unknown option '--verbose'\n/, /dedupfs snapshots --help/],
    [['init', join(s.dir, 'new-repo')], /^dedupfs: unexpected argument '.*new-repo'\n/, /--repo PATH/],
  ];
  for (const [args, message, hint] of cases) {
    const r = await runCli(args, { repo: s.repo });
    assert.equal(r.code, EXIT.USAGE, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr.split('\n')[1], hint);
    assert.equal(r.stdout, '');
  }
  assert.equal(existsSync(s.repo), false, 'no repository was created');
  assert.equal(existsSync(join(s.dir, 'new-repo')), false);
});

test('usage messages and --help are in English whatever the locale (yargs would translate them)', async (t) => {
  const s = await scratch(t);
  const env = { LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' };
  const cases: Array<[string[], RegExp]> = [
    [['snapshot'], /^dedupfs: unknown command 'snapshot'\n {2}did you mean 'snapshots'\?/],
    [['snapshots', 'extra'], /^dedupfs: unexpected argument 'extra'\n/],
    [['ingest', '--init', '--tag'], /^dedupfs: option '--tag' needs a value\n/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args, { repo: s.repo, env });
    assert.equal(r.code, EXIT.USAGE, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const help = await runCli(['--help'], { env });
  assert.match(help.stdout, /^Commands:$/m);
  assert.match(help.stdout, /^Options:$/m);
});
