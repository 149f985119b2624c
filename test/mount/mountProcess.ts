// Runs `dedupfs mount` as a child process, the way a person does, and waits for its "mounted"
// line. The mount must live in another process than the test: the test reads the mount, and a
// process that both serves and reads a FUSE mount deadlocks on its first synchronous call.
// Cleanup always ends the process and lazily unmounts, even when the test failed half way.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { CLI_PATH, runCommand } from '../helpers/cli.js';

export interface MountProcess {
  child: ChildProcess;
  mountpoint: string;
  /** everything printed so far */
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  repo: string; mountpoint: string; args?: string[]; env?: NodeJS.ProcessEnv;
  /** the CLI to run (default: this build's; the bench runs another build's as its baseline) */
  cli?: string;
}

/** Starts a mount and resolves once it prints "mounted"; rejects with its output if it exits first. */
export async function startMount(t: { after(fn: () => Promise<void>): void }, opts: StartOptions): Promise<MountProcess> {
  const child = spawn(process.execPath, [opts.cli ?? CLI_PATH, 'mount', opts.mountpoint, ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env, DEDUPFS_REPO: opts.repo },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })));
  const mount: MountProcess = { child, mountpoint: opts.mountpoint, stdout: () => out, stderr: () => err, exited };
  t.after(() => stopMount(mount));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mount did not start in time:\n${out}${err}`)), 30_000);
    child.stdout.on('data', () => {
      if (/^mounted /m.test(out) || /"type":"mounted"/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`mount exited with ${code}:\n${out}${err}`));
    });
  });
  return mount;
}

/** Ends the mount process (SIGTERM, then SIGKILL) and removes whatever mount it left. */
export async function stopMount(mount: MountProcess): Promise<void> {
  if (mount.child.exitCode === null && mount.child.signalCode === null) {
    mount.child.kill('SIGTERM');
    const killer = setTimeout(() => mount.child.kill('SIGKILL'), 10_000);
    await mount.exited;
    clearTimeout(killer);
  }
  await forceUnmount(mount.mountpoint);
}

/** fusermount -u -z, ignoring "not mounted". */
export async function forceUnmount(mountpoint: string): Promise<void> {
  await runCommand('fusermount', ['-u', '-z', mountpoint]);
}

/** true while /proc/mounts lists something at `mountpoint`. */
export async function isMounted(mountpoint: string): Promise<boolean> {
  return (await readFile('/proc/mounts', 'utf8')).split('\n').some((line) => line.split(' ')[1] === mountpoint);
}
