// kill -9 in the middle of key operations: the keyring must open afterwards with the old
// password or the new one, as a full key, every time; never with neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { changePassword } from '../../src/crypto/changePassword.js';
import { createKeyring } from '../../src/crypto/createKeyring.js';
import { openKeyring } from '../../src/crypto/openKeyring.js';
import type { OpenedKeys } from '../../src/crypto/createKeyring.js';
import { tempDir } from '../helpers/tempDir.js';

const churn = fileURLToPath(new URL('./keyringChurn.js', import.meta.url));

async function runAndKill(file: string, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, [churn, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`churn exited early with ${code}`)));
  });
  await new Promise((r) => setTimeout(r, afterMs));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function openEither(file: string): Promise<OpenedKeys> {
  try {
    return await openKeyring(file, Buffer.from('A'));
  } catch {
    return openKeyring(file, Buffer.from('B'));
  }
}

test('a key operation killed with SIGKILL leaves the old key set or the new one', async (t) => {
  const file = join(await tempDir(t), 'keys.json');
  await createKeyring(file, Buffer.from('A'), { scrypt: { N: 1024, r: 8, p: 1 } });
  let generations = 1;
  for (let i = 0; i < 10; i++) {
    await runAndKill(file, 5 + ((i * 37) % 60));
    const opened = await openEither(file);
    assert.equal(opened.material.kind, 'full');
    assert.ok(opened.material.generations.length >= generations, 'no rotation is lost once written');
    generations = opened.material.generations.length;
  }
  assert.ok(generations > 1, 'the children did change the keyring');
  // The next write clears what killed writers left behind (one planted, in case no kill landed mid-write).
  await writeFile(join(dirname(file), '.keys.json.0123456789ab.tmp'), 'half a keyring');
  const password = (await openKeyring(file, Buffer.from('A')).then(() => 'A', () => 'B'));
  await changePassword({ file, password: Buffer.from(password) }, { newPassword: Buffer.from('C'), scrypt: { N: 1024, r: 8, p: 1 } });
  assert.deepEqual(await readdir(dirname(file)), ['keys.json']);
});
