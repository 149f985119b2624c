// The list of commands the executable knows, in the order --help shows them.
import type { CommandModule } from 'yargs';
import { initCommand } from './init.js';
import { ingestCommand } from './ingest.js';
import { snapshotsCommand } from './snapshots.js';
import { chunkCommand } from './chunk.js';

export const commands: CommandModule<any, any>[] = [initCommand, ingestCommand, snapshotsCommand, chunkCommand];
