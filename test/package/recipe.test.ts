// The README's cron and systemd recipe, run as written: the crontab's jobs through /bin/sh the
// way cron runs them (its variables, `\%` turned back into `%`), the service's ExecStart lines
// as systemd splits and runs them (`%%` turned back into `%`), against a scratch repository and
// scratch sources put in place of the recipe's paths. Each must exit 0 and print nothing. The
// manual page must show the same lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const MANPAGE = fileURLToPath(new URL('../../../man/dedupfs.1', import.meta.url));
const BIN_DIR = fileURLToPath(new URL('../../../bin', import.meta.url));

interface Job { origin: string; argv: string[]; env: Record<string, string> }

/** The bodies of the README's code blocks fenced as ```lang. */
function fenced(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1]);
}

/** Puts the scratch folders in place of the recipe's paths. */
function localize(text: string, places: Array<[string, string]>): string {
  return places.reduce((s, [from, to]) => s.split(from).join(to), text);
}

/** cron: VAR=value lines set variables; a job is five time fields and a command for /bin/sh. */
function cronJobs(crontab: string, places: Array<[string, string]>): Job[] {
  const env: Record<string, string> = { HOME: process.env.HOME ?? '/root', LOGNAME: 'root', SHELL: '/bin/sh' };
  const jobs: Job[] = [];
  for (const line of crontab.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const variable = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (variable) {
      env[variable[1]] = localize(variable[2], places);
      continue;
    }
    const command = /^(?:\S+\s+){5}(.*)$/.exec(line)?.[1];
    assert.ok(command, `a crontab line of five time fields and a command: ${line}`);
    assert.doesNotMatch(command, /(^|[^\\])%/, `cron would end the command at an unescaped %: ${line}`);
    jobs.push({ origin: line, argv: ['/bin/sh', '-c', localize(command.replaceAll('\\%', '%'), places)], env: { ...env } });
  }
  return jobs;
}

/** Splits an ExecStart= value the way systemd does for these lines: words, '...' and "..." quotes. */
function splitExec(value: string): string[] {
  return [...value.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** systemd: the service's Environment= and ExecStart= lines, with `%%` unescaped. */
function serviceJobs(unit: string, places: Array<[string, string]>): Job[] {
  const env: Record<string, string> = { PATH: localize('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', places), HOME: process.env.HOME ?? '/root' };
  const jobs: Job[] = [];
  for (const line of unit.split('\n')) {
    const [key, ...rest] = line.split('=');
    const value = localize(rest.join('='), places);
    if (key === 'Environment') {
      const [name, ...v] = value.split('=');
      env[name] = v.join('=');
    } else if (key === 'ExecStart') {
      assert.doesNotMatch(value.replaceAll('%%', ''), /%/, `systemd would expand a specifier: ${line}`);
      jobs.push({ origin: line, argv: splitExec(value.replaceAll('%%', '%')), env: { ...env } });
    }
  }
  return jobs;
}

const outcomes: Array<{ job: Job; result: CliResult }> = [];

test('the README recipe: two nights of the crontab, then the systemd service, all exit 0', async (t) => {
  const work = await tempDir(t);
  const repo = join(work, 'repo'), etc = join(work, 'etc'), home = join(work, 'home');
  await mkdir(etc);
  await mkdir(join(home, 'ann'), { recursive: true });
  await writeFile(join(etc, 'hosts'), '127.0.0.1 localhost\n');
  await writeFile(join(home, 'ann', 'notes.txt'), 'night one\n');
  const places: Array<[string, string]> = [['/srv/backup/dedupfs', repo], ['/usr/local/bin', BIN_DIR], ['/etc /home', `${etc} ${home}`]];

  const readme = await readFile(README, 'utf8');
  const [crontab] = fenced(readme, 'crontab');
  assert.ok(crontab, 'the README has a ```crontab block');
  const units = fenced(readme, 'ini');
  const service = units.find((u) => /^# \S+\/dedupfs-backup\.service\n/.test(u));
  const timer = units.find((u) => /^# \S+\/dedupfs-backup\.timer\n/.test(u));
  assert.ok(service && timer, 'the README has the dedupfs-backup service and timer');
  assert.match(service, /^Type=oneshot$/m);
  assert.match(timer, /^\[Timer\]\nOnCalendar=\S+/m);
  assert.match(timer, /^WantedBy=timers\.target$/m);

  const cron = cronJobs(crontab, places);
  const systemd = serviceJobs(service, places);
  assert.deepEqual(cron.map((j) => j.argv[2].split(' ')[1]), ['ingest', 'forget', 'check']);
  assert.deepEqual(systemd.map((j) => j.argv.join(' ').match(/dedupfs (\w+)/)?.[1]), ['ingest', 'forget', 'check']);
  for (const job of [...cron, ...systemd]) assert.match(job.argv.join(' '), / -q /, `quiet: ${job.origin}`);

  const init = await runCommand(join(BIN_DIR, 'dedupfs'), ['init', '-q'], { env: { ...process.env, DEDUPFS_REPO: repo } });
  assert.equal(init.code, 0, init.stderr);
  for (const night of [1, 2, 3]) {
    if (night > 1) await writeFile(join(home, 'ann', 'notes.txt'), `night ${night}\n`);
    for (const job of night < 3 ? cron : systemd) {
      const result = await runCommand(job.argv[0], job.argv.slice(1), { env: job.env, cwd: work });
      outcomes.push({ job, result });
      assert.equal(result.code, 0, `night ${night}: ${job.origin}\n${result.stdout}${result.stderr}`);
    }
  }
  const listed = await runCommand(join(BIN_DIR, 'dedupfs'), ['snapshots', '--json'], { env: { ...process.env, DEDUPFS_REPO: repo } });
  assert.match(listed.stdout, new RegExp(`"${home}"`), 'the snapshots hold the recipe\'s paths');
});

test('the manual page carries the same recipe, line for line', async () => {
  const readme = await readFile(README, 'utf8');
  const man = (await readFile(MANPAGE, 'utf8')).replaceAll('\\-', '-').replaceAll('\\e', '\\').split('\n');
  const lines = [...fenced(readme, 'crontab'), ...fenced(readme, 'ini')].join('').split('\n').filter(Boolean);
  assert.ok(lines.length > 20);
  for (const line of lines) assert.ok(man.includes(line), `man/dedupfs.1 has: ${line}`);
});

test('the README recipe prints nothing on success', () => {
  assert.ok(outcomes.length >= 9);
  for (const { job, result } of outcomes) assert.equal(result.stdout + result.stderr, '', `silent: ${job.origin}`);
});
