// Runs a command as a child process and measures its wall time and peak memory (through
// /usr/bin/time when the machine has it, else peak RSS is not reported). Dirty pages are written
// out first (sync), so that no command is charged for the writeback of what ran before it (the
// generated corpus, a deleted repository). Also the median the bench quotes of several rounds.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The dedupfs command as users run it: bin/dedupfs, which starts the CLI with its V8 settings. */
export const DEDUPFS = fileURLToPath(new URL('../../bin/dedupfs', import.meta.url));

export interface Timed {
  seconds: number; peakRssMiB: number | null; code: number | null; stdout: string; stderr: string;
  /** user + system CPU time of the command (all its threads), where /usr/bin/time reports it */
  cpuSeconds: number | null;
}

export function runTimed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<Timed> {
  execFileSync('sync');
  const useTime = existsSync('/usr/bin/time');
  const [bin, argv] = useTime ? ['/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M CPU=%U+%S', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(bin, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const m = /PEAK_RSS_KB=(\d+) CPU=([\d.]+)\+([\d.]+)/.exec(stderr);
      resolve({
        seconds, peakRssMiB: m ? Number(m[1]) / 1024 : null, cpuSeconds: m ? Number(m[2]) + Number(m[3]) : null,
        code, stdout, stderr: stderr.replace(/PEAK_RSS_KB=\d+ CPU=\S+\n?/, ''),
      });
    });
  });
}

/** The middle value of `xs` (the upper middle for an even count): the bench's figure of several rounds. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
