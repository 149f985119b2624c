// Names are bytes (entry.ts); people and JSON need text. escapeName shows a name as text that
// survives any terminal: valid UTF-8 passes through, while bytes that are not valid UTF-8,
// control characters (C0, DEL, C1) and the backslash itself become \xHH or \\. unescapeName
// reads that form back, so a name printed by `ls` can be typed into `cat` or `restore`.

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The length of the UTF-8 sequence that `lead` starts, or 0 when it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function hexByte(b: number): string {
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

function needsEscape(codePoint: number): boolean {
  return codePoint < 0x20 || codePoint === 0x7f || (codePoint >= 0x80 && codePoint <= 0x9f) || codePoint === 0x5c;
}

/** `name` as printable text; for example the bytes 66 6f ff give "fo\xff" and "a\b" gives "a\\b". */
export function escapeName(name: Buffer): string {
  let out = '';
  for (let i = 0; i < name.length;) {
    const n = sequenceLength(name[i]);
    let char: string | null = null;
    if (n > 0 && i + n <= name.length) {
      try {
        char = decoder.decode(name.subarray(i, i + n));
      } catch {
        char = null;
      }
    }
    if (char === null) {
      out += hexByte(name[i]);
      i++;
      continue;
    }
    const cp = char.codePointAt(0) ?? 0;
    if (cp === 0x5c) out += '\\\\';
    else if (needsEscape(cp)) for (let j = i; j < i + n; j++) out += hexByte(name[j]);
    else out += char;
    i += n;
  }
  return out;
}

/** The bytes `text` stands for: \xHH is one byte, \\ a backslash, anything else its UTF-8. */
export function unescapeName(text: string): Buffer {
  if (!text.includes('\\')) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let plain = '';
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '\\' && text[i + 1] === 'x' ? /^[0-9a-fA-F]{2}$/.exec(text.slice(i + 2, i + 4)) : null;
    if (hex) {
      parts.push(Buffer.from(plain, 'utf8'), Buffer.from([parseInt(hex[0], 16)]));
      plain = '';
      i += 3;
    } else if (text[i] === '\\' && text[i + 1] === '\\') {
      plain += '\\';
      i++;
    } else {
      plain += text[i];
    }
  }
  parts.push(Buffer.from(plain, 'utf8'));
  return Buffer.concat(parts);
}
