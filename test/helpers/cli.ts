// Runs the real dedupfs executable as a child process (asynchronously, so a FUSE mount served
// by this process is never deadlocked by it) and captures what it prints and its exit status.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; stdoutBytes: Buffer }

export function runCli(args: string[], opts: { repo?: string; env?: NodeJS.ProcessEnv; input?: Buffer | string; cwd?: string } = {}): Promise<CliResult> {
  return runCommand(process.execPath, [CLI_PATH, ...args], {
    ...opts,
    env: { ...process.env, ...(opts.repo ? { DEDUPFS_REPO: opts.repo } : {}), ...opts.env },
  });
}

export function runCommand(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: Buffer | string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString(), stderr: Buffer.concat(err).toString(), stdoutBytes });
    });
    // A command that exits without reading its input (fusermount, head) closes the pipe: EPIPE is no failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
