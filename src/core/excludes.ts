// --exclude patterns, for ingest; restore and find select paths with the same syntax. A pattern
// without a slash matches a name at any depth ("*.tmp", "node_modules"); a pattern with a slash
// matches the whole source path ("/var/cache/*", "/home/*/.cache"). `*` matches within one path
// component, `**` across components, `?` one character. Matching is on the raw bytes of the
// name, read as latin1 so any byte matches itself.
import { readFile } from 'node:fs/promises';
import { ioError } from './errors.js';

export class Excludes {
  private readonly nameRules: RegExp[] = [];
  private readonly pathRules: RegExp[] = [];

  constructor(patterns: string[]) {
    for (const p of patterns) {
      const trimmed = Buffer.from(p, 'utf8').toString('latin1').replace(/\/+$/, '');
      if (!trimmed) continue;
      (trimmed.includes('/') ? this.pathRules : this.nameRules).push(globToRegExp(trimmed));
    }
  }

  static async withFiles(patterns: string[], files: string[]): Promise<Excludes> {
    const all = [...patterns];
    for (const f of files) {
      let text: string;
      try {
        text = await readFile(f, 'utf8');
      } catch (err) {
        throw ioError(err, 'cannot read exclude file', f);
      }
      all.push(...text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    }
    return new Excludes(all);
  }

  get empty(): boolean {
    return !this.nameRules.length && !this.pathRules.length;
  }

  /** true when the entry `name` at absolute source path `path` is excluded. */
  matches(name: Buffer, path: Buffer): boolean {
    if (this.empty) return false;
    const n = name.toString('latin1');
    const p = path.toString('latin1');
    return this.nameRules.some((r) => r.test(n)) || this.pathRules.some((r) => r.test(p));
  }
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') { re += '.*'; i++; }
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
