// The closing summary a quiet command holds back (shared.ts, summary()), printed only if the
// command ends with a non-zero status. Its own module so that main.ts, which prints it, does not
// load shared.ts and with it the repository code: `--version` and `--help` start without it.

let held = '';

/** Keeps `text` to print if the command fails. */
export function holdSummary(text: string): void {
  held += text;
}

/** Called once the command is done: prints a summary held back by --quiet when the exit status is not 0. */
export function printHeldSummary(): void {
  if (held && process.exitCode) process.stdout.write(held);
  held = '';
}
