// What main.ts does with the raw words around yargs: keeps the words after `--` as operands
// (yargs would leave them out of the positionals, silently dropping a path), and turns yargs'
// usage failures into messages that say what was wrong ("unknown command 'x'", "unknown option
// '--x'") with a hint, instead of "Unknown argument: x".
import { DedupfsError } from '../src/core/errors.js';

/** Marks a word after `--` that starts with '-', so that it is taken as an operand. */
const OPERAND_MARK = '\u0001';

/**
 * The words with `--` taken out: those after it that look like options are marked (see
 * unmarkOperands), the others are operands to yargs already.
 */
export function markOperands(words: string[]): string[] {
  const end = words.indexOf('--');
  if (end < 0) return words;
  return [...words.slice(0, end), ...words.slice(end + 1).map((w) => (w.startsWith('-') ? OPERAND_MARK + w : w))];
}

/** What checkOperands needs of yargs' option table (yargs' getOptions()). */
export interface KnownOptions { key: Record<string, unknown>; alias: Record<string, string[]> }

/** The first word of `words` (before `--`) that is an option yargs does not know, as written. */
function unknownOption(words: string[], options: KnownOptions): string | undefined {
  const known = new Set([...Object.keys(options.key), ...Object.values(options.alias).flat()]);
  for (const word of words) {
    if (word === '--') return undefined;
    const long = /^--(?:no-)?([^=]+)/.exec(word);
    if (long && !known.has(long[1]) && !known.has(word.slice(2).replace(/=.*/s, ''))) return word.replace(/=.*/s, '');
    const short = !long && /^-[^-\d]/.test(word) ? [...word.slice(1).replace(/=.*/s, '')].find((c) => !known.has(c)) : undefined;
    if (short) return `-${short}`;
  }
  return undefined;
}

/**
 * A yargs middleware, run before validation: an unknown option is a usage error naming it. yargs
 * is told to leave unknown options among the operands (so that one never takes the next word as
 * its value), which is why they are looked for here, in the words as typed. Then undoes
 * markOperands.
 */
export function checkOperands(argv: Record<string, unknown> & { _: Array<string | number> }, words: string[], options: KnownOptions, commands: string[]): void {
  const command = commandWord(words);
  // An unknown command is reported as such (usageMessage), before any of its options.
  const unknown = command === undefined || commands.includes(command) ? unknownOption(words, options) : undefined;
  if (unknown) throw new DedupfsError('USAGE', `unknown option '${unknown}'`, { hint: `see 'dedupfs ${command ? `${command} ` : ''}--help'` });
  const unmark = (v: unknown) => (typeof v === 'string' && v.startsWith(OPERAND_MARK) ? v.slice(1) : v);
  for (const [key, value] of Object.entries(argv)) argv[key] = Array.isArray(value) ? value.map(unmark) : unmark(value);
}

/** Global options that take a value (the word after them is not a command name). */
const VALUE_OPTIONS = new Set(['--repo', '--lock-wait']);

/** The first word that is not an option: the command's name, if the user gave one. */
export function commandWord(words: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--') return undefined;
    if (VALUE_OPTIONS.has(words[i])) i++;
    else if (!words[i].startsWith('-')) return words[i];
  }
  return undefined;
}

export interface UsageMessage { message: string; hint?: string }

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length];
}

function suggestion(word: string, commands: string[]): string | undefined {
  const [best] = commands.map((c) => [c, distance(word, c)] as const).sort((x, y) => x[1] - y[1]);
  return best && best[1] <= Math.max(2, Math.floor(word.length / 3)) ? best[0] : undefined;
}

/**
 * The message for a yargs usage failure `msg` on the command line `words`, knowing the command
 * names. An unknown word is an "unknown command" or an "unexpected argument".
 */
export function usageMessage(msg: string, words: string[], commands: string[]): UsageMessage {
  const unknown = /^Unknown arguments?: (.*)$/.exec(msg);
  const command = commandWord(words);
  const help = command && commands.includes(command) ? `see 'dedupfs ${command} --help'` : "see 'dedupfs --help'";
  const following = /^Not enough arguments following: (.*)$/.exec(msg);
  if (following) return { message: `option '${following[1].length > 1 ? '--' : '-'}${following[1]}' needs a value`, hint: help };
  if (!unknown) return { message: msg.charAt(0).toLowerCase() + msg.slice(1), hint: help };
  // Unknown options never get here (checkOperands reports them first): these are words.
  const name = unknown[1].split(', ')[0];
  if (name === command && !commands.includes(name)) {
    const close = suggestion(name, commands);
    return { message: `unknown command '${name}'`, hint: close ? `did you mean '${close}'? see 'dedupfs --help'` : "see 'dedupfs --help' for the commands" };
  }
  return {
    message: `unexpected argument '${name}'`,
    hint: `${command === 'init' ? "the repository to create is named with --repo PATH (or DEDUPFS_REPO); " : ''}${help}`,
  };
}
