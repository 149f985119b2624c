// `dedupfs key list | add | remove ID | passwd | rotate`: the passwords (keys) that open an
// encrypted repository.
import type { CommandModule } from 'yargs';
import { DedupfsError } from '../../src/core/errors.js';
import { defaultRepoPath } from '../../src/core/layout.js';
import type { KeyChange } from '../../src/repo/changeKeys.js';
import { formatKeyChange, formatKeyList } from '../../src/ui/formatKeys.js';
import { LOCK_WAIT_OPTION, lockWaitMs, notice, output, passwordSource, summary, type GlobalArgs } from '../shared.js';

const ACTIONS = ['list', 'add', 'remove', 'passwd', 'rotate'] as const;
type Action = typeof ACTIONS[number];

interface Args extends GlobalArgs { action: Action; id?: string; 'write-only'?: boolean; 'new-password-file'?: string; rotate?: boolean }

/** Refuses options that do not go with the action given. */
function checkOptions(argv: Args): void {
  if (argv.action !== 'remove' && argv.id !== undefined) throw new DedupfsError('USAGE', `key ${argv.action} takes no key id`, { hint: 'only key remove ID names a key' });
  if (argv['write-only'] && argv.action !== 'add') throw new DedupfsError('USAGE', '--write-only goes with key add');
  if (argv.rotate && argv.action !== 'remove') throw new DedupfsError('USAGE', "--rotate goes with key remove (a rotation alone is 'dedupfs key rotate')");
  if (argv['new-password-file'] !== undefined && argv.action !== 'add' && argv.action !== 'passwd') throw new DedupfsError('USAGE', '--new-password-file goes with key add and key passwd');
}

function keyChange(argv: Args): KeyChange {
  switch (argv.action) {
    case 'add': return { action: 'add', kind: argv['write-only'] ? 'write-only' : 'full', newPasswordFile: argv['new-password-file'] };
    case 'remove':
      if (!argv.id) throw new DedupfsError('USAGE', 'key remove needs the id of the key to remove', { hint: 'dedupfs key list shows the ids' });
      return { action: 'remove', id: argv.id, rotate: argv.rotate };
    case 'passwd': return { action: 'passwd', newPasswordFile: argv['new-password-file'] };
    default: return { action: 'rotate' };
  }
}

export const keyCommand: CommandModule<GlobalArgs, Args> = {
  command: 'key <action> [id]',
  describe: 'list, add, remove or change the passwords of an encrypted repository',
  builder: (y) => y
    .positional('action', { choices: ACTIONS, describe: 'list the keys; add one; remove ID; passwd: change the password given; rotate: seal new data under a new key generation', demandOption: true })
    .positional('id', { type: 'string', describe: 'the key to remove (key list shows the ids)' })
    .option('write-only', { type: 'boolean', describe: 'key add: a key that can ingest and list snapshots, and read nothing back (for a cron host)' })
    .option('new-password-file', { type: 'string', requiresArg: true, describe: 'key add, key passwd: read the new password from this file (default: ask on the terminal, twice)' })
    .option('rotate', { type: 'boolean', describe: 'key remove: also start a new key generation in the same write, so the removed key opens nothing sealed from now on' })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 key list', 'the keys: ids, kinds, creation times')
    .example('$0 key add --new-password-file ~/new.pass', 'a second password that opens the repository')
    .example('$0 key add --write-only --new-password-file ~/cron.pass', 'a key for a cron host: it can ingest, and read nothing back')
    .example('$0 key passwd --new-password-file ~/new.pass', 'change the password given (DEDUPFS_PASSWORD_FILE here)')
    .example('$0 key remove "$($0 key add --new-password-file ~/new.pass --json | jq -r .key)" --rotate', 'add a key, then revoke it')
    .example('$0 key rotate && $0 gc --rewrite-all', 'a new key generation, and everything stored sealed again under it')
    .epilogue('The password of a key of the repository comes from --password-file, --password-command, DEDUPFS_PASSWORD_FILE, '
      + 'DEDUPFS_PASSWORD_COMMAND or the terminal; add, remove and rotate need a full key, passwd changes the password of whichever key '
      + 'it opens. Removing the last full key is refused. Changes take the repository exclusively and replace keys.json in one write. '
      + 'Exit status 12 when the password opens no key (nothing is changed). With --json: list prints [{id, kind, created, scrypt}]; '
      + 'a change prints {"type":"summary", action, key, kind, rotated, generation}. See docs/ENCRYPTION.md.'),
  handler: async (argv) => {
    const dir = defaultRepoPath(argv.repo);
    checkOptions(argv);
    // src/crypto only when the command runs (--help loads every command module: start-up).
    const { changeRepoKeys, listRepoKeys } = await import('../../src/repo/changeKeys.js');
    if (argv.action === 'list') {
      const keys = await listRepoKeys(dir);
      output(argv, keys, () => formatKeyList(keys));
      return;
    }
    const result = await changeRepoKeys(dir, keyChange(argv), { password: passwordSource(argv), lockWaitMs: lockWaitMs(argv), onNotice: (msg) => notice(argv, msg) });
    summary(argv, { type: 'summary', ...result }, () => formatKeyChange(result));
  },
};
