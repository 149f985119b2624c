// Child process of readPassword.test.ts: asks for a password the way a command will, and
// prints what it got as hex (or the error code), so the test can type on a pseudo-terminal.
import { DedupfsError } from '../../src/core/errors.js';
import { readPassword } from '../../src/crypto/readPassword.js';

// `ask` or `confirm`; run with neither (as `node --test dist/test/` runs every file), it does nothing.
const mode = process.argv[2];
if (mode === 'ask' || mode === 'confirm') {
  try {
    const password = await readPassword({ prompt: 'Password', confirm: mode === 'confirm', env: process.env });
    process.stdout.write(`GOT:${password.toString('hex')}\n`);
  } catch (err) {
    process.stdout.write(`ERR:${(err as DedupfsError).code}:${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
