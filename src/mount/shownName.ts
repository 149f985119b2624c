// How stored names (raw bytes) are shown through the mount. fuse-native hands paths to and from
// JavaScript as UTF-8 strings, so a name that is not valid UTF-8 would come back mangled (each
// bad byte replaced by U+FFFD) and could not be found again. The mount therefore shows names
// with a reversible escape:
//
//   - every valid UTF-8 sequence is shown as it is;
//   - every byte that is not part of a valid UTF-8 sequence is shown as `\xHH` (two lower-case
//     hex digits), e.g. the bytes 66 6f ff fe 2e 62 69 6e are shown as `fo\xff\xfe.bin`;
//   - a literal backslash is doubled (`a\b` is shown as `a\\b`), so `\x..` in a shown name
//     always means an escaped byte;
//   - `/` and NUL, which no file name can hold (a hostile or damaged tree can), are shown as
//     `\x2f` and `\x00`, and the names `.`, `..` and the empty name as `\x2e`, `\x2e\x2e` and
//     `\x`: the kernel fails a whole folder listing with EIO on one such name.
//
// Symlink targets are shown with the same escape, but for the rule on `/` and NUL
// (showTarget). Catalog labels (host and tag names) also escape `/` as `\x2f`.
//
// This is the escape of src/tree/nameEscape.ts (what `restore` and `ls` paths use) minus one
// rule: control characters are shown as they are, not as \xHH, because a FUSE name can hold
// them and programs that compare or copy the mount with the source (diff -r, rsync) must see
// the same name. That module's unescapeName turns every name shown here back into its bytes.
import { isUtf8 } from 'node:buffer';

const HEX = '0123456789abcdef';
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const DOT = 0x2e;

/** Length of the valid UTF-8 sequence starting at `i`, or 0 if the byte there starts none. */
function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const c1 = b[i + 1];
    // no overlong forms (e0 80..9f) and no UTF-16 surrogates (ed a0..bf)
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return 0;
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const c1 = b[i + 1];
    // no overlong forms (f0 80..8f) and nothing past U+10FFFF (f4 90..)
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** true for a stored name no file system can show: empty, `.`, `..`, or holding `/` or NUL. */
export function isUnsafeName(name: Buffer): boolean {
  return name.length === 0 || name.includes(SLASH) || name.includes(0) || (name.length <= 2 && name.every((b) => b === DOT));
}

/** The name as shown in the mount (see the escape rules above). */
export function showName(name: Buffer): string {
  if (isUnsafeName(name)) {
    if (name.length === 0) return '\\x';
    if (name.every((b) => b === DOT)) return '\\x2e'.repeat(name.length);
    return showTarget(name).replaceAll('/', '\\x2f').replaceAll('\0', '\\x00');
  }
  return showTarget(name);
}

/** A symlink target as shown in the mount: the escape of a name, but `/` is a target's own. */
export function showTarget(name: Buffer): string {
  if (!name.includes(BACKSLASH) && isUtf8(name)) return name.toString('utf8');
  let out = '';
  let start = 0; // start of the run of valid bytes not yet copied to `out`
  for (let i = 0; i < name.length;) {
    const n = name[i] === BACKSLASH ? 0 : utf8SequenceLength(name, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += name.toString('utf8', start, i);
    out += name[i] === BACKSLASH ? '\\\\' : `\\x${HEX[name[i] >> 4]}${HEX[name[i] & 15]}`;
    start = ++i;
  }
  return out + name.toString('utf8', start);
}

/**
 * A catalog label (host or tag) as a folder name: escaped like a name, and `/` shown as
 * `\x2f`; `.` and `..` are shown as `\x2e` and `\x2e\x2e`.
 */
export function showLabel(label: string): string {
  const shown = showName(Buffer.from(label, 'utf8')).replaceAll('/', '\\x2f');
  return shown === '.' || shown === '..' ? shown.replaceAll('.', '\\x2e') : shown;
}
