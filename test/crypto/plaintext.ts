// What the "no plaintext" tests of encrypted repositories share (a folder's files or a bucket's
// objects): a source tree of incompressible data and text with names worth finding, and the
// search for any 32-byte run of its files or any of its names in the repository's bytes.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A source tree of incompressible data (stored raw by a plain repository) and text, with names worth finding. */
export async function sourceTree(src: string): Promise<{ names: string[]; runs: Buffer[] }> {
  const names = ['quarterly-salaries-confidential.ods', 'letter-to-the-lawyer.txt', 'holiday-photos-folder'];
  await mkdir(join(src, names[2]), { recursive: true });
  const random = randomBytes(600_000);
  await writeFile(join(src, names[0]), random);
  const text = Buffer.from('The password to the safe is under the blue vase in the hall. '.repeat(300));
  await writeFile(join(src, names[1]), text);
  await writeFile(join(src, names[2], 'beach.raw'), randomBytes(100_000));
  // 32-byte runs of every file, taken every 4 KiB
  const runs: Buffer[] = [];
  for (const b of [random, text]) for (let at = 0; at + 32 <= b.length; at += 4096) runs.push(b.subarray(at, at + 32));
  return { names, runs };
}

/** The runs and names found in `files` (name -> bytes: a folder's files, a bucket's objects). */
export function plaintextFound(files: Map<string, Buffer>, names: string[], runs: Buffer[]): string[] {
  const found: string[] = [];
  for (const [path, bytes] of files) {
    for (const name of names) if (bytes.includes(Buffer.from(name))) found.push(`${path}: the name ${name}`);
    const run = runs.find((r) => bytes.includes(r));
    if (run) found.push(`${path}: a 32-byte run of a source file`);
  }
  return found;
}
