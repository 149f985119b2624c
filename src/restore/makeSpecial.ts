// Fifos and device nodes. Node has no mkfifo or mknod, so the system tools make them, spawned
// asynchronously (a sync child would stall every other restore job). The tools take string
// paths, and our folder path may not be UTF-8, so the node is made under a temporary ASCII name
// in the folder, reached through /proc/PID/fd of a descriptor we hold on that folder; then
// link() gives it its real name (failing with EEXIST rather than replacing anything, like every
// other creation in restore) and the temporary name is removed.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, unlink } from 'node:fs/promises';
import type { TreeEntry } from '../tree/entry.js';

/** Linux dev_t: major and minor numbers, as glibc's gnu_dev_major / gnu_dev_minor split them. */
export function splitDevice(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(stderr.trim() || `${cmd} exited with status ${code}`))));
  });
}

/** Makes the fifo or device `entry` at `dir`/`name`, with its mode. Throws EEXIST if the name is taken. */
export async function makeSpecial(dir: Buffer, name: Buffer, entry: TreeEntry): Promise<void> {
  const tmpName = `.dedupfs-restore-${process.pid}-${randomBytes(6).toString('hex')}`;
  const mode = (entry.mode & 0o7777).toString(8);
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    const viaFd = `/proc/${process.pid}/fd/${fh.fd}/${tmpName}`;
    if (entry.kind === 'fifo') await run('mkfifo', ['-m', mode, viaFd]);
    else {
      const { major, minor } = splitDevice(entry.rdev ?? 0);
      await run('mknod', ['-m', mode, viaFd, entry.kind === 'chardev' ? 'c' : 'b', String(major), String(minor)]);
    }
  } finally {
    await fh.close();
  }
  const tmp = Buffer.concat([dir, Buffer.from(`/${tmpName}`)]);
  try {
    await link(tmp, Buffer.concat([dir, Buffer.from('/'), name]));
  } finally {
    await unlink(tmp);
  }
}
