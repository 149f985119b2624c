// How `dedupfs commit MOUNTPOINT` reaches the process serving a writable mount: a Unix socket in
// the mount's staging area (stagingArea.ts). The client sends one line, "commit"; the mount
// commits and answers one JSON line: {"ok":true,"snapshot":{...}|null} (null: nothing had
// changed) or {"ok":false,"error":{code,message,hint}}. The client finds the socket by the
// mount point recorded in each staging area's owner.json.
import { createConnection, createServer, type Server } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { DedupfsError } from '../core/errors.js';
import { liveDir, readOwner, type StagingArea } from './stagingArea.js';

/** Answers commit requests on the area's socket until closed. */
export function serveCommits(area: StagingArea, commit: () => Promise<Snapshot | null>): Promise<Server> {
  const server = createServer((socket) => {
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (!text.includes('\n')) return;
      const word = text.split('\n')[0].trim();
      if (word !== 'commit') {
        socket.end(`${JSON.stringify({ ok: false, error: { code: 'USAGE', message: `unknown request '${word}'` } })}\n`);
        return;
      }
      commit().then(
        (snapshot) => socket.end(`${JSON.stringify({ ok: true, snapshot })}\n`),
        (err: unknown) => {
          const e = err instanceof DedupfsError ? err : new DedupfsError('IO', `commit failed: ${(err as Error)?.message ?? String(err)}`);
          socket.end(`${JSON.stringify({ ok: false, error: { code: e.code, message: e.message, hint: e.hint } })}\n`);
        });
    });
    socket.on('error', () => undefined);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(area.socket, () => ok(server));
  });
}

/**
 * Asks the writable mount at `mountpoint`, made from the repository at `repoRoot`, to commit,
 * and waits for it. Resolves to the new snapshot, or null when nothing had changed.
 */
export async function requestCommit(repoRoot: string, mountpoint: string): Promise<Snapshot | null> {
  const path = resolve(mountpoint);
  const hosts = await readdir(liveDir(repoRoot)).catch(() => [] as string[]);
  let socketPath: string | undefined;
  for (const host of hosts) {
    const dir = join(liveDir(repoRoot), host);
    const owner = await readOwner(join(dir, 'owner.json'));
    if (owner?.mountpoint === path) socketPath = join(dir, 'control.sock');
  }
  if (!socketPath) {
    throw new DedupfsError('MOUNT', `no writable mount of ${repoRoot} is at ${path}`,
      { hint: `mount one with 'dedupfs mount --writable ${path}', or name its repository with --repo`, data: { path } });
  }
  const reply = await new Promise<string>((ok, fail) => {
    let text = '';
    const socket = createConnection(socketPath as string, () => socket.write('commit\n'));
    socket.on('data', (d: Buffer) => { text += d.toString(); });
    socket.on('end', () => ok(text));
    socket.on('error', fail);
  }).catch((err: unknown) => {
    throw new DedupfsError('MOUNT', `the writable mount at ${path} does not answer: ${(err as Error).message}`,
      { hint: `is its process still running? If it was killed, run 'dedupfs umount ${path}' and mount again: what it had is replayed`, cause: err, data: { path } });
  });
  const answer = JSON.parse(reply) as { ok: boolean; snapshot?: Snapshot | null; error?: { code: DedupfsError['code']; message: string; hint?: string } };
  if (!answer.ok) throw new DedupfsError(answer.error?.code ?? 'IO', answer.error?.message ?? 'commit failed', { hint: answer.error?.hint });
  return answer.snapshot ?? null;
}
