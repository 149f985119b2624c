// dedupfs beside restic, borg and casync (bench/peerTools.ts), in one run on one corpus: the
// generated corpus (bench/corpus.ts) plus a copy of part of /usr/lib. Every step runs once per
// tool per round, the tools' order rotating each round, so a drift of this shared machine touches
// them alike; the table shows medians of the rounds. Printed beside each figure: the best peer's
// and how far dedupfs is ahead of it (>1 ahead, <1 behind). Skipped, saying so, when a peer is
// not on the PATH. Sizes: DEDUPFS_BENCH_PEERS_MB (generated part, default 980),
// DEDUPFS_BENCH_PEERS_USRLIB_MB (default 400), DEDUPFS_BENCH_PEERS_RUNS (rounds, default 3).
// Before and after a change, in one run: DEDUPFS_BENCH_PEERS_BASELINE=DIR adds a column for the
// dedupfs of another built checkout (DIR/bin/dedupfs), and DEDUPFS_BENCH_PEERS_ONLY=casync (names,
// comma-separated) keeps only those peers, for a shorter run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable } from '../src/ui/formatSnapshot.js';
import { forceUnmount, isMounted } from '../test/mount/mountProcess.js';
import { generateCorpus, scaledCorpus } from './corpus.js';
import { borgWith, dedupfsAt, DEDUPFS_TOOL, FIRST, PEER_TOOLS, type Command, type Tool } from './peerTools.js';
import { runTimed, type Timed, median } from './runTimed.js';
import { copySystemTree } from './systemTree.js';

const MB = 1e6;
const RUNS = Number(process.env.DEDUPFS_BENCH_PEERS_RUNS ?? 3);
const GENERATED_MB = Number(process.env.DEDUPFS_BENCH_PEERS_MB ?? 980);
const USRLIB_MB = Number(process.env.DEDUPFS_BENCH_PEERS_USRLIB_MB ?? 400);
const BASELINE = process.env.DEDUPFS_BENCH_PEERS_BASELINE;
const ONLY = process.env.DEDUPFS_BENCH_PEERS_ONLY?.split(',');
const chosen = (name: string) => !ONLY || ONLY.includes(name);
const PEERS = ([['restic', ['version']], ['borg', ['--version']], ['casync', ['--version']]] as Array<[string, string[]]>).filter(([cmd]) => chosen(cmd));
const TOOLS: Tool[] = [DEDUPFS_TOOL, ...(BASELINE ? [dedupfsAt(join(BASELINE, 'bin', 'dedupfs'), 'baseline')] : []), ...PEER_TOOLS.filter((t) => chosen(t.name))];

async function run(c: Command): Promise<Timed> {
  const r = await runTimed(c.cmd, c.args, c.env, c.cwd);
  if (r.code !== 0) throw new Error(`${c.cmd} ${c.args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r;
}

/** Bytes of the regular files under `dir`, and their count. */
async function treeBytes(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0, files = 0;
  for (const name of await readdir(dir, { recursive: true })) {
    const s = await lstat(join(dir, name));
    if (s.isFile()) { bytes += s.size; files++; }
  }
  return { bytes, files };
}

/** What a repository holds on disk: each file's length, or its allocated blocks when fewer (a sparse file). */
async function diskBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const name of await readdir(dir, { recursive: true })) {
    const s = await lstat(join(dir, name));
    if (s.isFile()) bytes += Math.min(s.size, s.blocks * 512);
  }
  return bytes;
}

/** Runs `step` RUNS times for every item, the items' order rotating by one each round. */
async function alternate<T>(items: T[], step: (item: T, round: number) => Promise<void>): Promise<void> {
  for (let round = 0; round < RUNS; round++) {
    for (let i = 0; i < items.length; i++) await step(items[(i + round) % items.length], round);
  }
}

/**
 * Mounts `repo` with `tool`, times `cat` of every file through the mount (with `sync` first, as
 * every timed step), then unmounts. Returns the seconds and the mount process's peak RSS, or why
 * the tool could not mount here.
 */
async function catThroughMount(tool: Tool, repo: string, mountpoint: string): Promise<{ seconds: number; peakRssMiB: number } | string> {
  const { command, root } = tool.mount(repo, mountpoint);
  const child = spawn(command.cmd, command.args, { env: command.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    for (const started = Date.now(); !(await isMounted(mountpoint)) || !existsSync(root);) {
      if (child.exitCode !== null || child.signalCode !== null) return `mount failed: ${stderr.trim().split('\n').pop() ?? ''}`;
      if (Date.now() - started > 120_000) return 'mount did not appear within 120 s';
      await new Promise((r) => setTimeout(r, 50));
    }
    const cat = await runTimed('sh', ['-c', `find '${root}' -type f -exec cat {} + > /dev/null`]);
    if (cat.code !== 0) return `cat through the mount failed: ${cat.stderr.trim().split('\n').pop() ?? ''}`;
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    return { seconds: cat.seconds, peakRssMiB: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 };
  } finally {
    await forceUnmount(mountpoint);
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }
}

/** One figure of the table: each tool's measurements, and whether more is better. */
interface Figure { what: string; higherIsBetter: boolean; digits: number; values: Map<string, number[]> }

function figure(what: string, higherIsBetter: boolean, digits: number): Figure {
  return { what, higherIsBetter, digits, values: new Map() };
}

function record(f: Figure, tool: string, value: number | null): void {
  if (value === null) return;
  f.values.set(tool, [...(f.values.get(tool) ?? []), value]);
}

/** How far `ours` is ahead of `theirs` (>1 ahead), as a cell. */
function leadCell(f: Figure, ours: number | null, theirs: number | null): string {
  if (ours === null || theirs === null) return 'n/a';
  const lead = f.higherIsBetter ? ours / theirs : theirs / ours;
  return `${lead.toFixed(2)}x ${lead >= 1 ? 'ahead' : 'behind'}`;
}

/**
 * A row: the figure, each tool's median (or its peak, for memory), the best peer, dedupfs's lead
 * over it, and with a baseline, dedupfs's lead over the baseline.
 */
function row(f: Figure, summarize: (xs: number[]) => number): string[] {
  const cell = (name: string) => { const xs = f.values.get(name); return xs ? summarize(xs) : null; };
  const peers = TOOLS.filter((t) => !t.ours).map((t) => [t.name, cell(t.name)] as const).filter((p): p is readonly [string, number] => p[1] !== null);
  const best = peers.sort((a, b) => (f.higherIsBetter ? b[1] - a[1] : a[1] - b[1]))[0];
  const ours = cell(DEDUPFS_TOOL.name);
  return [f.what, ...TOOLS.map((t) => cell(t.name)?.toFixed(f.digits) ?? 'n/a'), best ? best[0] : 'n/a', leadCell(f, ours, best?.[1] ?? null),
    ...(BASELINE ? [leadCell(f, ours, cell('baseline'))] : [])];
}

function missingPeers(): string[] {
  return PEERS.filter(([cmd, args]) => spawnSync(cmd, args, { stdio: 'ignore' }).error).map(([cmd]) => cmd);
}

export async function benchPeers(): Promise<void> {
  const missing = missingPeers();
  if (missing.length) {
    process.stdout.write(`skipped: ${missing.join(', ')} not on the PATH (Debian: apt-get install -y restic borgbackup casync)\n`);
    return;
  }
  for (const [cmd, args] of PEERS) process.stdout.write(`${spawnSync(cmd, args, { encoding: 'utf8' }).stdout.split('\n')[0]}\n`);
  const loadAtStart = loadavg();
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-peers-'));
  const shm = existsSync('/dev/shm') ? await mkdtemp('/dev/shm/dedupfs-bench-peers-') : null;
  try {
    const src = join(work, 'src'), mountpoint = join(work, 'mnt');
    await mkdir(mountpoint);
    process.stdout.write(`generating ${GENERATED_MB} MB corpus and copying ${USRLIB_MB} MB of /usr/lib...\n`);
    await generateCorpus(join(src, 'generated'), scaledCorpus(GENERATED_MB / 980));
    await copySystemTree('/usr/lib', join(src, 'usr-lib'), USRLIB_MB * MB);
    const tree = await treeBytes(src);
    const logical = tree.bytes;
    const repoOf = (tool: Tool, round: number) => join(work, tool.name, `repo-${round}`);

    const ingest = figure('first ingest, MB/s', true, 0);
    const again = figure('ingest again, nothing changed, s', false, 2);
    // user + system CPU time: steadier than wall time on a machine others share
    const againCpu = figure('ingest again, nothing changed, CPU s', false, 2);
    const toMemory = figure('restore into tmpfs, MB/s', true, 0);
    const toDisk = figure('restore to disk, MB/s', true, 0);
    const mounted = figure('cat of every file through the mount, MB/s', true, 0);
    const ingestRss = figure('peak RSS of ingest, MiB', false, 0);
    const restoreRss = figure('peak RSS of restore, MiB', false, 0);
    const mountRss = figure('peak RSS of the mount process, MiB', false, 0);
    const size = figure('repository size, MB', false, 1);

    // First ingest: a fresh repository each round; round 0's is kept for the other steps.
    await alternate(TOOLS, async (tool, round) => {
      const repo = repoOf(tool, round);
      await mkdir(join(work, tool.name), { recursive: true });
      await run(tool.init(repo));
      const r = await run(tool.ingest(repo, src, FIRST));
      record(ingest, tool.name, logical / MB / r.seconds);
      record(ingestRss, tool.name, r.peakRssMiB);
      if (round === 0) record(size, tool.name, (await diskBytes(repo)) / MB);
    });
    for (const tool of TOOLS) {
      for (let round = 1; round < RUNS; round++) {
        for (const suffix of ['', '.cache', '.home']) await rm(repoOf(tool, round) + suffix, { recursive: true, force: true });
      }
    }
    await alternate(TOOLS, async (tool, round) => {
      const r = await run(tool.ingest(repoOf(tool, 0), src, `again-${round}`));
      record(again, tool.name, r.seconds);
      record(againCpu, tool.name, r.cpuSeconds);
    });

    // Restores, with `cp -a` of the tree to the same disk as the baseline. On tmpfs each restore
    // is removed after its run; on disk none is removed before the end (bench/ingest.ts says why).
    const copies: number[] = [];
    await alternate([...TOOLS, null], async (tool, round) => {
      if (tool === null) {
        copies.push(logical / MB / (await run({ cmd: 'cp', args: ['-a', src, join(work, `copy-${round}`)], env: process.env })).seconds);
        return;
      }
      for (const [f, base] of [[toMemory, shm], [toDisk, work]] as const) {
        if (base === null) continue;
        const target = join(base, `restored-${tool.name}-${round}`);
        await mkdir(target);
        const r = await run(tool.restore(repoOf(tool, 0), target));
        const restored = await treeBytes(target);
        if (restored.bytes !== logical || restored.files !== tree.files) {
          throw new Error(`${tool.name} restored ${restored.files} files, ${restored.bytes} bytes; the tree has ${tree.files}, ${logical}`);
        }
        record(f, tool.name, logical / MB / r.seconds);
        record(restoreRss, tool.name, r.peakRssMiB);
        if (base === shm) await rm(target, { recursive: true, force: true });
      }
    });
    for (const name of await readdir(work)) if (/^(restored|copy)-/.test(name)) await rm(join(work, name), { recursive: true, force: true });

    const skipped: string[] = [];
    if (existsSync('/dev/fuse')) {
      await alternate(TOOLS, async (tool) => {
        if (skipped.some((s) => s.startsWith(`${tool.name}:`))) return;
        const r = await catThroughMount(tool, repoOf(tool, 0), mountpoint);
        if (typeof r === 'string') skipped.push(`${tool.name}: ${r}`);
        else { record(mounted, tool.name, logical / MB / r.seconds); record(mountRss, tool.name, r.peakRssMiB); }
      });
    } else skipped.push('every tool: no /dev/fuse');

    // The note: borg with lz4, its fastest compression (one ingest, no alternation).
    let lz4Note = '';
    if (chosen('borg')) {
      const lz4 = borgWith('lz4'), lz4Repo = join(work, 'borg-lz4');
      await run(lz4.init(lz4Repo));
      const lz4Ingest = await run(lz4.ingest(lz4Repo, src, FIRST));
      lz4Note = `borg --compression lz4 (one ingest): ${(logical / MB / lz4Ingest.seconds).toFixed(0)} MB/s, ${lz4Ingest.peakRssMiB?.toFixed(0) ?? 'n/a'} MiB, `
        + `repository ${((await diskBytes(lz4Repo)) / MB).toFixed(1)} MB\n`;
    }

    const peak = (xs: number[]) => Math.max(...xs);
    const rows = [ingest, again, againCpu, toMemory, toDisk, mounted].map((f) => row(f, median))
      .concat([ingestRss, restoreRss, mountRss].map((f) => row(f, peak)), [row(size, median)]);
    const loadAtEnd = loadavg();
    process.stdout.write(`corpus: ${(logical / MB).toFixed(0)} MB in ${tree.files} files (generated ${GENERATED_MB} MB, /usr/lib ${USRLIB_MB} MB); `
      + `medians of ${RUNS} alternating rounds (memory: the highest); load average ${loadAtStart[0].toFixed(1)} at start, ${loadAtEnd[0].toFixed(1)} at end\n`);
    process.stdout.write(formatTable(['figure', ...TOOLS.map((t) => t.name), 'best peer', 'dedupfs vs best peer', ...(BASELINE ? ['dedupfs vs baseline'] : [])], rows));
    if (BASELINE) process.stdout.write(`baseline: ${BASELINE}\n`);
    const cp = median(copies);
    process.stdout.write(`cp -a of the tree to the same disk (alternating with the restores): ${cp.toFixed(0)} MB/s; `
      + `dedupfs's restore to disk is ${(median(toDisk.values.get('dedupfs') ?? [0]) / cp).toFixed(2)}x of it\n`);
    process.stdout.write(lz4Note);
    for (const s of skipped) process.stdout.write(`mount skipped for ${s}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
    if (shm) await rm(shm, { recursive: true, force: true });
  }
}
