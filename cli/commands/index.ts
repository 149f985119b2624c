// The list of commands the executable knows, in the order --help shows them.
import type { CommandModule } from 'yargs';
import { initCommand } from './init.js';
import { ingestCommand } from './ingest.js';
import { snapshotsCommand } from './snapshots.js';
import { lsCommand } from './ls.js';
import { catCommand } from './cat.js';
import { restoreCommand } from './restore.js';
import { statsCommand } from './stats.js';
import { chunkCommand } from './chunk.js';
import { mountCommand } from './mount.js';
import { umountCommand } from './umount.js';
import { forgetCommand } from './forget.js';
import { gcCommand } from './gc.js';
import { checkCommand } from './check.js';
import { repairCommand } from './repair.js';
import { unlockCommand } from './unlock.js';

export const commands: CommandModule<any, any>[] = [initCommand, ingestCommand, snapshotsCommand, lsCommand, catCommand, restoreCommand, statsCommand, chunkCommand, mountCommand, umountCommand,
  forgetCommand, gcCommand, checkCommand, repairCommand, unlockCommand];
