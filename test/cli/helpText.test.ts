// --help on a terminal wraps to its width between words; under a pipe it is not wrapped at all
// (so grep and the examples test see whole lines). The check example counts days with
// `date +%u` (1-7): `date +%j` gives 008 and 009, which shell arithmetic reads as bad octal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, runCli, runCommand } from '../helpers/cli.js';

const COLUMNS = 60;

/** `dedupfs ARGS` on a pseudo-terminal COLUMNS wide (script(1) gives it one). */
async function onTerminal(args: string[]): Promise<string> {
  const line = [process.execPath, CLI_PATH, ...args].map((w) => `'${w}'`).join(' ');
  const r = await runCommand('script', ['-qec', `stty cols ${COLUMNS}; ${line}`, '/dev/null']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.replace(/\r/g, '');
}

test('help wraps to the terminal between words, and not at all under a pipe', async () => {
  for (const args of [['--help'], ['check', '--help'], ['restore', '--help'], ['forget', '--help']]) {
    const piped = await runCli(args);
    assert.equal(piped.code, 0);
    assert.ok(piped.stdout.split('\n').some((l) => l.length > 100), `${args.join(' ')}: long lines kept under a pipe`);
    const words = new Set(piped.stdout.split(/\s+/));
    const wrapped = await onTerminal(args);
    for (const line of wrapped.split('\n')) {
      assert.ok(line.length <= COLUMNS, `${args.join(' ')}: ${JSON.stringify(line)} is wider than ${COLUMNS}`);
      for (const word of line.split(/\s+|(?=\[(?:string|boolean|array|number|count|required|default|choices))/).filter(Boolean)) assert.ok(words.has(word), `${args.join(' ')}: '${word}' is a word cut in two`);
    }
  }
});

test('the read-data-subset examples use date +%u, never %j', async () => {
  const help = (await runCli(['check', '--help'])).stdout;
  assert.match(help, /dedupfs check --read-data-subset "\$\(date \+%u\)\/7"/);
  for (const file of ['../../../README.md', '../../../man/dedupfs.1']) {
    assert.doesNotMatch(await readFile(fileURLToPath(new URL(file, import.meta.url)), 'utf8'), /%j/, file);
  }
  assert.doesNotMatch(help, /%j/);
});
