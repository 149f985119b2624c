// Byte sizes as people type and read them. Every suffix is a binary (1024) multiple, whether
// written K, KB or KiB: chunk and read sizes are powers of two in practice, and "64K" meaning
// 64,000 would surprise anyone who sets a chunk size.
import { DedupfsError } from './errors.js';

const MULTIPLIERS: Record<string, number> = {
  '': 1, b: 1,
  k: 2 ** 10, kb: 2 ** 10, kib: 2 ** 10,
  m: 2 ** 20, mb: 2 ** 20, mib: 2 ** 20,
  g: 2 ** 30, gb: 2 ** 30, gib: 2 ** 30,
  t: 2 ** 40, tb: 2 ** 40, tib: 2 ** 40,
};

/**
 * Parses a whole number of bytes with an optional, case-insensitive suffix:
 * '65535', '16K', '16KB', '16KiB', '1M', '2g', '1T' (all multiples of 1024).
 * Throws DedupfsError('USAGE') for anything else, including fractions and negative numbers.
 */
export function parseSize(text: string): number {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const multiplier = match ? MULTIPLIERS[match[2].toLowerCase()] : undefined;
  const bytes = match && multiplier !== undefined ? Number(match[1]) * multiplier : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new DedupfsError('USAGE', `invalid size '${text}' (use e.g. 64K, 1M, 1MiB)`, { data: { value: text } });
  }
  return bytes;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Formats a byte count for people, in binary units with at most one decimal: '512 B', '1.5 MiB', '64 KiB'. */
export function formatBytes(n: number): string {
  let unit = 0;
  let value = n;
  // 1023.95 KiB and up would print as '1024 KiB': show it as '1 MiB' instead.
  while (Math.abs(value) >= (unit === 0 ? 1024 : 1023.95) && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${UNITS[unit]}`;
}
