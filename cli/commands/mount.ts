// `dedupfs mount MOUNTPOINT`: browse snapshots as read-only files, in the foreground, until
// Ctrl-C, SIGTERM or `dedupfs umount MOUNTPOINT`. With --writable: the live tree (liveMount.ts).
import type { CommandModule } from 'yargs';
import { parseSize } from '../../src/core/size.js';
import { mountRepository } from '../../src/mount/index.js';
import { runLiveMount, type LiveMountArgs } from './liveMount.js';
import { scopeOf, scopeOptions, summary, withRepository, type GlobalArgs, type ScopeArgs } from '../shared.js';

interface Args extends GlobalArgs, ScopeArgs, LiveMountArgs { mountpoint: string; snapshot?: string; 'allow-other'?: boolean; 'cache-size': string }

export const mountCommand: CommandModule<GlobalArgs, Args> = {
  command: 'mount <mountpoint>',
  describe: 'show snapshots as a read-only file system (FUSE), until Ctrl-C or dedupfs umount',
  builder: (y) => scopeOptions(y, 'show only snapshots')
    .positional('mountpoint', { type: 'string', describe: 'an empty folder', demandOption: true })
    .option('snapshot', { type: 'string', describe: 'show only this snapshot (id, prefix, latest, latest~N) at the root' })
    .option('allow-other', { type: 'boolean', describe: 'let other users in (access checked against the stored modes)' })
    .option('cache-size', { type: 'string', default: '8M', describe: 'memory for decompressed chunks (more helps files read again and again)' })
    .option('writable', { type: 'boolean', describe: 'mount the live tree of this host, writable; every commit stores it as a snapshot tagged live' })
    .option('from', { type: 'string', describe: 'with --writable: start from this snapshot instead of the newest live one' })
    .option('commit-every', { type: 'string', describe: 'with --writable: also commit this often when something changed (e.g. 5min)' })
    .conflicts('writable', 'snapshot')
    .example('$0 mount /mnt/backups', 'every snapshot, by time, id, host and tag')
    .example('$0 mount --snapshot latest /mnt/last', 'the newest snapshot at the root')
    .example('$0 mount --tag daily /mnt/daily', 'only the snapshots tagged daily')
    .example('$0 mount --writable --commit-every 5min /mnt/archive', 'copy files in; they are stored deduplicated, as snapshots tagged live'),
  handler: async (argv) => {
    if (argv.writable) return runLiveMount(argv);
    const cacheBytes = parseSize(argv['cache-size']);
    await withRepository(argv, { lock: 'shared', command: 'mount', readOnly: true }, async (repo) => {
      const mount = await mountRepository(repo, {
        mountpoint: argv.mountpoint, snapshot: argv.snapshot, scope: scopeOf(argv), allowOther: argv['allow-other'], cacheBytes,
        onError: (line) => process.stderr.write(`dedupfs: ${line}\n`),
      });
      const what = mount.snapshot ? `snapshot ${mount.snapshot.id.slice(0, 8)} (${mount.snapshot.time})` : `the snapshots of ${repo.dir}`;
      summary(argv, { type: 'mounted', mountpoint: mount.mountpoint, repository: repo.dir, snapshot: mount.snapshot?.id ?? null },
        () => `mounted ${what} at ${mount.mountpoint}\n  unmount with Ctrl-C or 'dedupfs umount ${mount.mountpoint}'\n`);
      // A closed terminal (SIGHUP) would otherwise kill the process and leave the mount stale.
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void mount.unmount());
      await mount.done;
      summary(argv, { type: 'unmounted', mountpoint: mount.mountpoint }, () => `unmounted ${mount.mountpoint}\n`);
    });
    // fuse-native keeps a handle open after an unmount from outside: leave explicitly.
    process.exit();
  },
};
