// The list of commands the executable knows, in the order --help shows them.
import type { CommandModule } from 'yargs';

export const commands: CommandModule<any, any>[] = [];
