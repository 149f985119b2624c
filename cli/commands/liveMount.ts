// The handler of `dedupfs mount --writable MOUNTPOINT`: the live tree of this host, writable,
// in the foreground until Ctrl-C, SIGTERM or `dedupfs umount`; the last changes are committed
// as a snapshot at unmount. Kept apart from mount.ts, whose read-only path it shares no steps with.
import { durationToMs, parseDuration } from '../../src/core/duration.js';
import { DedupfsError } from '../../src/core/errors.js';
import { parseSize } from '../../src/core/size.js';
import { mountWritable } from '../../src/live/index.js';
import { scopeOf, summary, withRepository, type GlobalArgs, type ScopeArgs } from '../shared.js';

export interface LiveMountArgs { writable?: boolean; from?: string; 'commit-every'?: string }

interface Args extends GlobalArgs, ScopeArgs, LiveMountArgs { mountpoint: string; 'allow-other'?: boolean; 'cache-size': string }

const short = (id: string) => id.slice(0, 8);

export async function runLiveMount(argv: Args): Promise<void> {
  const cacheBytes = parseSize(argv['cache-size']);
  const commitEveryMs = argv['commit-every'] === undefined ? undefined : durationToMs(parseDuration(argv['commit-every']));
  if (commitEveryMs !== undefined && commitEveryMs < 1000) throw new DedupfsError('USAGE', `--commit-every ${argv['commit-every']} is too short`, { hint: 'give 1s or more, e.g. 5min' });
  await withRepository(argv, { lock: 'shared', command: 'mount --writable' }, async (repo) => {
    const mount = await mountWritable(repo, {
      mountpoint: argv.mountpoint, from: argv.from, scope: scopeOf(argv), commitEveryMs, allowOther: argv['allow-other'], cacheBytes,
      onError: (line) => process.stderr.write(`dedupfs: ${line}\n`),
      onCommit: (snap) => summary(argv, { type: 'committed', snapshot: snap.id, time: snap.time, added: snap.added },
        () => `committed snapshot ${short(snap.id)} (${snap.time})\n`),
    });
    const from = mount.base ? `snapshot ${short(mount.base.id)}` : 'an empty tree';
    const replayed = mount.replayed ? `, ${mount.replayed} uncommitted change${mount.replayed === 1 ? '' : 's'} replayed` : '';
    summary(argv, { type: 'mounted', mountpoint: mount.mountpoint, repository: repo.dir, writable: true, base: mount.base?.id ?? null, replayed: mount.replayed },
      () => `mounted the live tree (from ${from}${replayed}) writable at ${mount.mountpoint}\n  commit with 'dedupfs commit ${mount.mountpoint}'; unmount with Ctrl-C or 'dedupfs umount ${mount.mountpoint}'\n`);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void mount.unmount());
    const last = await mount.done;
    summary(argv, { type: 'unmounted', mountpoint: mount.mountpoint, snapshot: last?.id ?? null }, () => `unmounted ${mount.mountpoint}\n`);
  });
  // fuse-native keeps a handle open after an unmount from outside: leave explicitly.
  process.exit();
}
