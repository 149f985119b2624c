// Every example a user is shown runs, and succeeds: the `.example(...)` lines of every command's
// --help (read from the help text, so a command or example added later is picked up), every
// command line of the README's shell code blocks, and every line of the manual page's EXAMPLES.
// Each runs through `sh -c` with `dedupfs` on the PATH, against its own copy of a scratch
// repository holding five snapshots of a scratch tree; absolute paths in the example are moved
// into that tree (so `latest:/etc/hosts` reads the snapshot of SCRATCH/etc by its source path),
// and made-up snapshot ids become real ones. A mount example is mounted for real, read, and
// unmounted with `dedupfs umount`. Examples of `dedupfs key` run against a copy of an encrypted
// scratch repository; every example finds its password in DEDUPFS_PASSWORD_FILE (~/.dedupfs-pass),
// and the new passwords they name (~/new.pass, ~/cron.pass) exist. EXCEPTIONS lists what is not
// run, and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, runCommand } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Examples not run, matched against the line as written, with the reason. */
const EXCEPTIONS: Array<[RegExp, string]> = [
  [/\bnpm ci\b/, 'installs the project itself (the packaging tests cover it)'],
  [/^dedupfs commit /, 'needs a writable mount running (test/mount/writable.test.ts runs it against one)'],
  [/\bs3:/, 'needs an S3 server and its credentials (test/s3/ runs these commands against one)'],
];

interface Example { source: string; line: string }

/** `.example()` lines of `dedupfs COMMAND --help`: "  dedupfs ...  description" under "Examples:". */
async function helpExamples(): Promise<Example[]> {
  const top = await runCli(['--help']);
  const commands = [...top.stdout.matchAll(/^ {2}dedupfs (\S+)/gm)].map((m) => m[1]);
  assert.ok(commands.length >= 15, top.stdout);
  const helps = await Promise.all(commands.map(async (command) => [command, (await runCli([command, '--help'])).stdout] as const));
  const out: Example[] = [];
  for (const [command, help] of helps) {
    const section = help.split(/^Examples:\n/m)[1]?.split('\n\n')[0] ?? '';
    for (const row of section.split('\n').filter(Boolean)) {
      const m = /^ {2}(?=\S)(.*?\bdedupfs\b.*?) {2,}\S/.exec(row) ?? /^ {2}(?=\S)(.*?\bdedupfs\b.*)$/.exec(row);
      assert.ok(m, `${command} --help: cannot read the example row ${JSON.stringify(row)}`);
      out.push({ source: `dedupfs ${command} --help`, line: m[1].trim() });
    }
  }
  return out;
}

/** A line that runs dedupfs: it starts with it (after a "$ " prompt) or pipes or chains into it. */
function commandLines(lines: string[], source: string): Example[] {
  return lines.map((l) => l.replace(/^\$ /, '').replace(/\s+#.*$/, '').trim())
    .filter((l) => /(^|[|;&]\s*)(\S*\/)?dedupfs\s/.test(l))
    .map((line) => ({ source, line }));
}

async function readmeExamples(): Promise<Example[]> {
  const text = await readFile(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...text.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  return commandLines(blocks.flatMap((b) => b.split('\n')), 'README.md');
}

/** The lines between .EX and .EE in the manual page, with roff escapes undone. */
async function manExamples(): Promise<Example[]> {
  const text = await readFile(join(ROOT, 'man', 'dedupfs.1'), 'utf8');
  const blocks = [...text.matchAll(/^\.EX\n([\s\S]*?)^\.EE/gm)].map((m) => m[1]);
  const unroff = (l: string) => l.replace(/\\-/g, '-').replace(/\\\(aq/g, "'").replace(/\\\(dq/g, '"').replace(/\\e/g, '\\').replace(/\\&/g, '');
  return commandLines(blocks.flatMap((b) => b.split('\n')).map(unroff), 'man/dedupfs.1');
}

/** The scratch tree every absolute path of an example is moved into, and the template repositories (plain, and encrypted for `dedupfs key`). */
async function scratch(dir: string): Promise<{ repo: string; sealed: string; ids: string[] }> {
  const files: Record<string, string | Buffer> = {
    'etc/hosts': '127.0.0.1 localhost\n', 'etc/app.conf': 'answer = 42\n', 'home/user/notes.txt': 'notes\n',
    'backups/today/report.txt': 'report\n', 'etc/bash_completion.d/README': 'completions\n', 'usr/share/doc/readme': 'doc\n', 'var/cache/junk.tmp': 'junk\n',
    'bigfile.iso': randomBytes(400_000),
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  const repo = join(dir, 'template-repo');
  assert.equal((await runCli(['init', '-q'], { repo })).code, 0);
  for (let i = 0; i < 5; i++) {
    await writeFile(join(dir, 'home/user/notes.txt'), `notes, version ${i}\n`);
    const r = await runCli(['ingest', '--init', '-q', '--tag', 'daily', join(dir, 'etc'), join(dir, 'home')], { repo });
    assert.equal(r.code, 0, r.stderr);
  }
  const ids = (JSON.parse((await runCli(['snapshots', '--json'], { repo })).stdout) as Array<{ id: string }>).map((s) => s.id);
  for (const [name, password] of [['.dedupfs-pass', 'examples'], ['new.pass', 'a new one'], ['cron.pass', 'for cron']]) await writeFile(join(dir, name), `${password}\n`);
  const sealed = join(dir, 'sealed-template-repo');
  const init = await runCli(['init', '-q', '--encryption'], { repo: sealed, env: { DEDUPFS_PASSWORD_FILE: join(dir, '.dedupfs-pass') } });
  assert.equal(init.code, 0, init.stderr);
  return { repo, sealed, ids };
}

/**
 * The example as run: absolute paths moved under `dir` (those under /tmp and /mnt, where examples
 * write and mount, under this example's own `run` folder instead), made-up 8-digit ids replaced
 * by real ones.
 */
function substitute(line: string, dir: string, run: string, ids: string[]): string {
  let n = 0;
  return line
    .replace(/(^|[\s:="'])\/(?=[\w.])/g, `$1${dir}/`)
    .replace(new RegExp(`${dir}/(tmp|mnt)/`, 'g'), `${run}/$1/`)
    .replace(/(?<![\w/])[0-9a-f]{8}(?![\w/])/g, () => ids[n++ % ids.length].slice(0, 8));
}

/** Runs a mount example until it has mounted, lists the mount, and unmounts it with `dedupfs umount`. */
async function runMount(line: string, opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; stderr: string }> {
  const mountpoint = line.split(' ').at(-1)!;
  await mkdir(mountpoint, { recursive: true });
  const child = spawn('sh', ['-c', `exec ${line}`], { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const mounted = await Promise.race([
    new Promise<boolean>((resolve) => child.stdout.on('data', () => { if (/^mounted /m.test(out)) resolve(true); })),
    exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000)),
  ]);
  if (!mounted) {
    child.kill();
    return { code: await exited, stderr: `did not mount: ${out}${err}` };
  }
  const listed = await readdir(mountpoint);
  const umount = await runCommand('dedupfs', ['umount', mountpoint], opts);
  const code = await exited;
  return { code: listed.length && umount.code === 0 ? code : -1, stderr: `${err}${umount.stderr}listed: ${listed.join(' ')}` };
}

test('every example in --help, the README and the manual page runs and succeeds', async (t) => {
  const dir = await tempDir(t);
  const { repo, sealed, ids } = await scratch(dir);
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await symlink(join(ROOT, 'bin', 'dedupfs'), join(bin, 'dedupfs'));
  // Programs examples pipe from, stood in for by a script that prints sample text.
  await writeFile(join(bin, 'pg_dump'), '#!/bin/sh\necho "-- a database dump"\n', { mode: 0o755 });

  const examples = [...await helpExamples(), ...await readmeExamples(), ...await manExamples()];
  for (const source of ['README.md', 'man/dedupfs.1']) assert.ok(examples.some((e) => e.source === source), `no examples found in ${source}`);
  const skipped = examples.flatMap((e) => EXCEPTIONS.filter(([pattern]) => pattern.test(e.line)).map(([, why]) => `${e.line} (${why})`));
  const queue = [...examples.entries()].filter(([, e]) => !EXCEPTIONS.some(([pattern]) => pattern.test(e.line)));
  const ran = queue.length;
  const failures: string[] = [];
  // Each example has its own folder and repository copy, so a few run at once.
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [i, example] = next;
      const run = join(dir, `run-${i}`);
      await mkdir(join(run, 'tmp'), { recursive: true });
      const copy = join(run, 'repo');
      await cp(/\bdedupfs key\b/.test(example.line) ? sealed : repo, copy, { recursive: true });
      const line = substitute(example.line, dir, run, ids);
      const opts = {
        cwd: dir,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, DEDUPFS_REPO: copy, HOME: dir, XDG_CACHE_HOME: join(run, 'cache'), DEDUPFS_PASSWORD_FILE: join(dir, '.dedupfs-pass') },
      };
      const r = /^dedupfs mount /.test(line) ? await runMount(line, opts) : await runCommand('bash', ['-c', line], opts);
      if (r.code !== 0 || /internal error/.test(r.stderr)) failures.push(`${example.source}: ${example.line}\n  ran as: ${line}\n  exit ${r.code}: ${r.stderr}`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  t.diagnostic(`ran ${ran} examples; skipped: ${skipped.join('; ')}`);
  assert.deepEqual(failures, []);
  assert.ok(ran >= 20, `only ${ran} examples ran`);
});
