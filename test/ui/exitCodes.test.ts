// The exit statuses are documented twice for people (man page, README) and defined once in
// code: this keeps the three in agreement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../../src/ui/exitCodes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('the man page EXIT STATUS section lists exactly the codes the CLI uses', async () => {
  const man = await readFile(`${root}man/dedupfs.1`, 'utf8');
  const section = man.slice(man.indexOf('.SH EXIT STATUS'), man.indexOf('.SH', man.indexOf('.SH EXIT STATUS') + 4));
  const documented = [...section.matchAll(/^\.B (\d+)$/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
  assert.deepEqual(documented, Object.values(EXIT).sort((a, b) => a - b));
});

test('the README exit status table lists exactly the codes the CLI uses', async () => {
  const readme = await readFile(`${root}README.md`, 'utf8');
  const documented = [...readme.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
  assert.deepEqual(documented, Object.values(EXIT).sort((a, b) => a - b));
});
