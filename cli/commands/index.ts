// The list of commands the executable knows, in the order --help shows them.
import type { CommandModule } from 'yargs';
import { initCommand } from './init.js';
import { ingestCommand } from './ingest.js';
import { snapshotsCommand } from './snapshots.js';
import { chunkCommand } from './chunk.js';
import { forgetCommand } from './forget.js';
import { gcCommand } from './gc.js';
import { checkCommand } from './check.js';
import { repairCommand } from './repair.js';
import { unlockCommand } from './unlock.js';

export const commands: CommandModule<any, any>[] = [initCommand, ingestCommand, snapshotsCommand, chunkCommand,
  forgetCommand, gcCommand, checkCommand, repairCommand, unlockCommand];
