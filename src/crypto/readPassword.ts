// Where a password comes from. In order: a file (--password-file, else DEDUPFS_PASSWORD_FILE),
// a command's standard output (--password-command, else DEDUPFS_PASSWORD_COMMAND; run by
// /bin/sh), or a prompt on the controlling terminal (/dev/tty, not stdin: `ingest --stdin`
// reads data there) with echo off. Never from a plain argument: those show in `ps` and shell
// history. Under cron (no terminal, nothing set) this is one line naming the ways to give one;
// so it is where DEDUPFS_PASSWORD_PROMPT=never forbids asking (shell completion, scripts).
// One trailing newline (LF or CRLF) is dropped from a file or command output; an empty
// password is refused. Passwords are Buffers: bytes pass through exactly.
import { execFile } from 'node:child_process';
import { openSync, closeSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isatty, ReadStream } from 'node:tty';
import { DedupfsError, ioError } from '../core/errors.js';

export interface PasswordOptions {
  /** --password-file (or --new-password-file) */
  file?: string;
  /** --password-command */
  command?: string;
  /** Environment to read DEDUPFS_PASSWORD_FILE / DEDUPFS_PASSWORD_COMMAND from; none for a new password. */
  env?: NodeJS.ProcessEnv;
  /** The prompt's wording, e.g. "Password for /backups". */
  prompt: string;
  /** Ask twice on the terminal (a password being created). */
  confirm?: boolean;
  /** The terminal device (tests); /dev/tty by default. */
  tty?: string;
}

const HOW = 'give it with --password-file FILE, --password-command CMD, DEDUPFS_PASSWORD_FILE or DEDUPFS_PASSWORD_COMMAND';

function missing(message: string, hint = HOW): DedupfsError {
  return new DedupfsError('PASSWORD_MISSING', message, { hint });
}

function chomp(b: Buffer): Buffer {
  let end = b.length;
  if (end > 0 && b[end - 1] === 0x0a) end--;
  if (end > 0 && b[end - 1] === 0x0d) end--;
  return b.subarray(0, end);
}

function nonEmpty(b: Buffer, from: string): Buffer {
  if (b.length === 0) throw missing(`the password from ${from} is empty`, 'an empty password is not allowed');
  return b;
}

export async function readPassword(opts: PasswordOptions): Promise<Buffer> {
  const file = opts.file ?? (opts.command === undefined ? opts.env?.DEDUPFS_PASSWORD_FILE : undefined);
  const command = opts.command ?? (opts.file === undefined ? opts.env?.DEDUPFS_PASSWORD_COMMAND : undefined);
  if (file !== undefined && command !== undefined) {
    throw new DedupfsError('USAGE', 'a password file and a password command are both set: give one');
  }
  if (file !== undefined) {
    try {
      return nonEmpty(chomp(await readFile(file)), `password file ${file}`);
    } catch (err) {
      throw err instanceof DedupfsError ? err : ioError(err, 'password file', file);
    }
  }
  if (command !== undefined) return nonEmpty(chomp(await runCommand(command)), `password command ${JSON.stringify(command)}`);
  if (opts.env?.DEDUPFS_PASSWORD_PROMPT === 'never') throw missing('no password: no password file or command is set, and DEDUPFS_PASSWORD_PROMPT=never forbids asking');
  const first = await promptTerminal(opts.tty ?? '/dev/tty', `${opts.prompt}: `);
  if (opts.confirm) {
    const again = await promptTerminal(opts.tty ?? '/dev/tty', `${opts.prompt} (again): `);
    if (!first.equals(again)) throw missing('the two passwords typed differ', 'type the same password twice');
  }
  return first;
}

function runCommand(command: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { encoding: 'buffer', maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const why = stderr.toString('utf8').trim().split('\n')[0] || err.message.split('\n')[0];
      reject(missing(`password command ${JSON.stringify(command)} failed: ${why}`, 'run the command by hand to see why'));
    });
  });
}

/**
 * Reads one line from the terminal with echo off; Ctrl-C is INTERRUPTED, Ctrl-D on an empty line
 * gives up. The ReadStream owns the descriptor from its creation and closes it when destroyed.
 */
function promptTerminal(device: string, prompt: string): Promise<Buffer> {
  let fd: number;
  try {
    fd = openSync(device, 'r+');
  } catch {
    fd = -1;
  }
  if (fd < 0 || !isatty(fd)) {
    if (fd >= 0) closeSync(fd);
    throw missing('no password: there is no terminal to ask on, and no password file or command is set');
  }
  const input = new ReadStream(fd);
  input.setRawMode(true); // before the prompt: nothing typed after it is ever echoed
  writeSync(fd, prompt);
  const typed: number[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    const finish = (err: DedupfsError | null) => {
      input.setRawMode(false);
      input.removeAllListeners('data');
      input.pause();
      writeSync(fd, '\n');
      input.destroy();
      if (err) reject(err);
      else resolve(Buffer.from(typed));
      typed.fill(0);
    };
    input.on('data', (chunk: Buffer) => {
      for (const c of chunk) {
        if (c === 0x0d || c === 0x0a) return finish(typed.length ? null : missing('no password typed', 'type a password, or ' + HOW));
        if (c === 0x03) return finish(new DedupfsError('INTERRUPTED', 'interrupted at the password prompt'));
        if (c === 0x04) {
          if (typed.length === 0) return finish(missing('no password typed', 'type a password, or ' + HOW));
        } else if (c === 0x7f || c === 0x08) typed.pop();
        else if (c === 0x15) typed.length = 0;
        else typed.push(c);
      }
    });
  });
}
