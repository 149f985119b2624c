// `dedupfs umount MOUNTPOINT`: unmount a dedupfs mount from another shell.
import type { CommandModule } from 'yargs';
import { unmountMountPoint } from '../../src/mount/index.js';
import { summary, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { mountpoint: string; lazy?: boolean }

export const umountCommand: CommandModule<GlobalArgs, Args> = {
  command: 'umount <mountpoint>',
  describe: 'unmount a dedupfs mount (the mount process then exits)',
  builder: (y) => y
    .positional('mountpoint', { type: 'string', describe: 'where it is mounted', demandOption: true })
    .option('lazy', { type: 'boolean', describe: 'detach now even if programs still use it' }),
  handler: async (argv) => {
    const path = await unmountMountPoint(argv.mountpoint, { lazy: argv.lazy });
    summary(argv, { type: 'summary', unmounted: path }, () => `unmounted ${path}\n`);
  },
};
