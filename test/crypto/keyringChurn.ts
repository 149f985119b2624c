// Child process of keyringKill.test.ts: changes a keyring for ever (password A <-> B, rotate,
// add and remove a write-only key) until it is killed. Prints "busy" once it has written once.
// Run without a file (as `node --test dist/test/` runs every file), it does nothing.
import { addKey, removeKey, rotateKeys } from '../../src/crypto/changeKeyring.js';
import { changePassword } from '../../src/crypto/changePassword.js';
import { openKeyring } from '../../src/crypto/openKeyring.js';

const scrypt = { N: 1024, r: 8, p: 1 };

async function churn(file: string): Promise<never> {
  let [current, other] = [Buffer.from('A'), Buffer.from('B')];
  await openKeyring(file, current).catch(() => ([current, other] = [other, current]));
  for (let round = 0; ; round++) {
    await changePassword({ file, password: current }, { newPassword: other, scrypt });
    [current, other] = [other, current];
    if (round === 0) process.stdout.write('busy\n');
    await rotateKeys({ file, password: current });
    const id = await addKey({ file, password: current }, { kind: 'write-only', newPassword: Buffer.from('cron'), scrypt });
    await removeKey({ file, password: current }, id);
  }
}

if (process.argv[2] !== undefined) await churn(process.argv[2]);
