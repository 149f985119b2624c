// Start-up time: how long `dedupfs --version` and `dedupfs snapshots` (as a table and --json, on
// a repository of one small snapshot) take from exec to exit, against `node -e 0` on the same
// machine: medians of interleaved runs, so that a machine's drift touches all of them alike. The
// goal (issue 10): `snapshots` within 2x of `node -e 0`.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEDUPFS, median } from './runTimed.js';
import { formatTable } from '../src/ui/formatSnapshot.js';

const RUNS = Number(process.env.DEDUPFS_BENCH_STARTUP_RUNS ?? 20);

/** Milliseconds from spawn to exit; throws when the command fails. */
function timeMs(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

export async function benchStartup(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-startup-'));
  try {
    const env = { ...process.env, DEDUPFS_REPO: join(work, 'repo') };
    const src = join(work, 'src');
    await mkdir(src);
    await writeFile(join(src, 'a.txt'), 'a small snapshot\n');
    timeMs(DEDUPFS, ['init', '-q'], env);
    timeMs(DEDUPFS, ['ingest', '-q', src], env);
    const commands: Array<[string, string, string[]]> = [
      ['node -e 0', process.execPath, ['-e', '0']],
      ['dedupfs --version', DEDUPFS, ['--version']],
      ['dedupfs snapshots (1 snapshot)', DEDUPFS, ['snapshots']],
      ['dedupfs snapshots --json', DEDUPFS, ['snapshots', '--json']],
    ];
    const times: number[][] = commands.map(() => []);
    for (let run = 0; run < RUNS; run++) {
      commands.forEach(([, cmd, args], i) => times[i].push(timeMs(cmd, args, env)));
    }
    const base = median(times[0]);
    const rows = commands.map(([name], i) => [name, median(times[i]).toFixed(0), (median(times[i]) / base).toFixed(2)]);
    process.stdout.write(`start-up, medians of ${RUNS} interleaved runs\n`);
    process.stdout.write(formatTable(['command', 'ms', 'x node -e 0'], rows));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
