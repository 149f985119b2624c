// What the kill tests of key commands share (a folder's and a bucket's): the CLI run as a child
// process and killed with SIGKILL at a given moment, as a crash or power loss would stop it.
import { spawn } from 'node:child_process';
import { CLI_PATH } from '../helpers/cli.js';

/** Runs `dedupfs args` and kills it with SIGKILL after `ms` (or lets it finish first); whether it finished. */
export function runAndKill(args: string[], env: NodeJS.ProcessEnv, ms: number): Promise<boolean> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return new Promise((resolve) => child.once('exit', (code, signal) => {
    clearTimeout(timer);
    resolve(signal === null && code === 0);
  }));
}
