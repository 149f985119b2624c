// The text of `dedupfs key`: the key list as a table, and one line per change.
import type { KeyInfo } from '../crypto/index.js';
import type { KeyChangeResult } from '../repo/changeKeys.js';

export function formatKeyList(keys: KeyInfo[]): string {
  const rows = keys.map((k) => [k.id, k.kind, k.created.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), `N=2^${Math.log2(k.scrypt.N)} r=${k.scrypt.r} p=${k.scrypt.p}`]);
  const head = ['ID', 'Kind', 'Created', 'scrypt'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n';
  return line(head) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('') + `${keys.length} key${keys.length === 1 ? '' : 's'}\n`;
}

export function formatKeyChange(r: KeyChangeResult): string {
  switch (r.action) {
    case 'add': return `added ${r.kind} key ${r.key}\n`;
    case 'remove': return `removed key ${r.key}${r.rotated ? ' and started a new key generation, which it never sees' : ''}\n`;
    case 'passwd': return `changed the password of key ${r.key}\n`;
    case 'rotate': return `new data is sealed under key generation ${r.generation}; older data stays readable with every full key\n`;
  }
}
