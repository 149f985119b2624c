// Where passwords come from: files, commands, the environment, a terminal prompt (typed on a
// real pseudo-terminal through script(1), with echo off), and a clear error under cron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DedupfsError } from '../../src/core/errors.js';
import { readPassword } from '../../src/crypto/readPassword.js';
import { tempDir } from '../helpers/tempDir.js';

const child = fileURLToPath(new URL('./promptChild.js', import.meta.url));
const noTty = '/nonexistent/tty';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err) => err instanceof DedupfsError && err.code === code && !err.message.includes('\n'));
}

test('a password file: one trailing newline dropped, every other byte kept; empty or missing is an error', async (t) => {
  const dir = await tempDir(t);
  const cases: [Buffer, Buffer][] = [
    [Buffer.from('secret\n'), Buffer.from('secret')],
    [Buffer.from('secret\r\n'), Buffer.from('secret')],
    [Buffer.from('two words \n\n'), Buffer.from('two words \n')],
    [Buffer.from([0xff, 0x00, 0x41]), Buffer.from([0xff, 0x00, 0x41])],
  ];
  for (const [i, [bytes, want]] of cases.entries()) {
    await writeFile(join(dir, `p${i}`), bytes);
    assert.ok((await readPassword({ file: join(dir, `p${i}`), prompt: 'p', tty: noTty })).equals(want), `case ${i}`);
  }
  await writeFile(join(dir, 'empty'), '\n');
  await rejectsWith(readPassword({ file: join(dir, 'empty'), prompt: 'p', tty: noTty }), 'PASSWORD_MISSING');
  await rejectsWith(readPassword({ file: join(dir, 'missing'), prompt: 'p', tty: noTty }), 'NOT_FOUND');
});

test('the environment is read only when asked, and an option beats it; file and command together is a usage error', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'env'), 'from-env\n');
  await writeFile(join(dir, 'opt'), 'from-option\n');
  const env = { DEDUPFS_PASSWORD_FILE: join(dir, 'env') };
  assert.equal((await readPassword({ env, prompt: 'p', tty: noTty })).toString(), 'from-env');
  assert.equal((await readPassword({ env, file: join(dir, 'opt'), prompt: 'p', tty: noTty })).toString(), 'from-option');
  assert.equal((await readPassword({ env, command: 'echo from-command', prompt: 'p', tty: noTty })).toString(), 'from-command');
  assert.equal((await readPassword({ env: { DEDUPFS_PASSWORD_COMMAND: 'printf "a b"' }, prompt: 'p', tty: noTty })).toString(), 'a b');
  await rejectsWith(readPassword({ prompt: 'p', tty: noTty }), 'PASSWORD_MISSING'); // a new password: no environment
  await rejectsWith(readPassword({ env: { ...env, DEDUPFS_PASSWORD_COMMAND: 'echo x' }, prompt: 'p', tty: noTty }), 'USAGE');
  await rejectsWith(readPassword({ file: join(dir, 'opt'), command: 'echo x', prompt: 'p', tty: noTty }), 'USAGE');
});

test('a failing password command is one line with its error; its output never appears', async () => {
  const err = await readPassword({ command: 'printf lea%sed ked; echo "vault is sealed" >&2; exit 3', prompt: 'p', tty: noTty }).catch((e) => e);
  assert.ok(err instanceof DedupfsError && err.code === 'PASSWORD_MISSING');
  assert.match(err.message, /vault is sealed/);
  assert.doesNotMatch(err.message + err.hint, /leaked/);
  await rejectsWith(readPassword({ command: 'true', prompt: 'p', tty: noTty }), 'PASSWORD_MISSING');
});

test('under cron (no controlling terminal, nothing set) it is one clear line', () => {
  const env = { ...process.env };
  delete env.DEDUPFS_PASSWORD_FILE;
  delete env.DEDUPFS_PASSWORD_COMMAND;
  const r = spawnSync('setsid', [process.execPath, child, 'ask'], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^ERR:PASSWORD_MISSING:no password: there is no terminal to ask on[^\n]*\n$/);
});

/** Runs the prompt child on a pseudo-terminal, typing each answer when `prompts[i]` shows. */
function onTerminal(args: string, prompts: string[], answers: string[]): Promise<string> {
  const env = { ...process.env };
  delete env.DEDUPFS_PASSWORD_FILE;
  delete env.DEDUPFS_PASSWORD_COMMAND;
  const p = spawn('script', ['-q', '-e', '-c', `${process.execPath} ${child} ${args}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let next = 0;
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString('latin1');
    while (next < prompts.length && out.split(prompts[next]).length - 1 > countBefore(next)) p.stdin.write(answers[next++]);
  });
  // How many times prompts[i] appeared before it is expected again (the confirmation repeats the prefix).
  const countBefore = (i: number) => prompts.slice(0, i).filter((q) => q.includes(prompts[i])).length;
  return new Promise((resolve) => p.on('close', () => resolve(out)));
}

const hasScript = spawnSync('script', ['--version']).status === 0;

test('a terminal prompt reads with echo off, and asks twice when creating', { skip: !hasScript && 'script(1) is not installed' }, async () => {
  const once = await onTerminal('ask', ['Password: '], ['s3cret\r']);
  assert.match(once, new RegExp(`GOT:${Buffer.from('s3cret').toString('hex')}`));
  assert.doesNotMatch(once, /s3cret/, 'the password was echoed');

  const twice = await onTerminal('confirm', ['Password: ', '(again): '], ['n3w-pass\r', 'n3w-pass\r']);
  assert.match(twice, new RegExp(`GOT:${Buffer.from('n3w-pass').toString('hex')}`));
  assert.doesNotMatch(twice, /n3w-pass/);

  const edited = await onTerminal('ask', ['Password: '], ['zz\x15abx\x7fc\x04d\r']);
  assert.match(edited, new RegExp(`GOT:${Buffer.from('abcd').toString('hex')}`), 'Ctrl-U clears, backspace removes a character, Ctrl-D is not typed');

  assert.match(await onTerminal('confirm', ['Password: ', '(again): '], ['one\r', 'two\r']), /ERR:PASSWORD_MISSING:the two passwords typed differ/);
  assert.match(await onTerminal('ask', ['Password: '], ['\x03']), /ERR:INTERRUPTED/);
  assert.match(await onTerminal('ask', ['Password: '], ['\r']), /ERR:PASSWORD_MISSING/);
});
