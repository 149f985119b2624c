// uid -> user name and gid -> group name, read once from /etc/passwd and /etc/group (Node has
// no getpwuid). Names are kept beside the numeric ids so that a restore on another machine can
// tell who owned what.
import { readFileSync } from 'node:fs';

function readIdFile(path: string): Map<number, string> {
  const names = new Map<number, string>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return names;
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id !== undefined && !names.has(Number(id))) names.set(Number(id), name);
  }
  return names;
}

export class OwnerNames {
  private users?: Map<number, string>;
  private groups?: Map<number, string>;

  user(uid: number): string | undefined {
    return (this.users ??= readIdFile('/etc/passwd')).get(uid);
  }

  group(gid: number): string | undefined {
    return (this.groups ??= readIdFile('/etc/group')).get(gid);
  }
}
