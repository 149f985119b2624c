// Progress for long commands. On a terminal (stderr is a TTY, no --quiet, no --json) a status
// line is redrawn at most 5 times a second: files, bytes, MB/s, what is being read and, when the
// total is known (or estimated, e.g. from the previous snapshot), the time left. Elsewhere (cron, pipes) it prints nothing. Warnings always go
// to stderr as lines of their own, so they reach cron's mail.
import type { Reporter } from '../core/reporter.js';
import { formatBytes } from '../core/size.js';
import { formatCount } from './formatCount.js';

export interface ProgressOptions {
  quiet?: boolean;
  json?: boolean;
  verb: string;
  /** list each file stored (ingest --verbose): a line on stderr, or a {"type":"file"} object on stdout with json */
  verbose?: boolean;
}

export interface Progress extends Reporter {
  /** clears the status line; call before printing the result */
  finish(): void;
  warnings: number;
}

export function createProgress(opts: ProgressOptions): Progress {
  const live = !opts.quiet && !opts.json && !!process.stderr.isTTY;
  const started = Date.now();
  let files = 0, bytes = 0, skippedBytes = 0, totalBytes = 0, current = '', lastDraw = 0, drawn = false;

  const draw = (force = false) => {
    if (!live) return;
    const now = Date.now();
    if (!force && now - lastDraw < 200) return;
    lastDraw = now;
    const secs = Math.max((now - started) / 1000, 0.001);
    const rate = bytes / secs;
    const done = bytes + skippedBytes;
    let line = `${opts.verb}: ${formatCount(files, 'file')}, ${formatBytes(done)}${totalBytes ? ` of ~${formatBytes(Math.max(totalBytes, done))}` : ''}, ${formatBytes(rate)}/s`;
    if (totalBytes > done && rate > 0) line += `, ${formatEta((totalBytes - done) / rate)} left`;
    const width = (process.stderr.columns || 80) - 1;
    if (current && line.length + 3 < width) line += `  ${truncateLeft(current, width - line.length - 2)}`;
    process.stderr.write(`\r\x1b[K${line.slice(0, width)}`);
    drawn = true;
  };

  const progress: Progress = {
    warnings: 0,
    start(t) { totalBytes = t.bytes ?? 0; draw(true); },
    item(path) { current = path; draw(); },
    bytes(n) { bytes += n; draw(); },
    skipped(n) { skippedBytes += n; draw(); },
    fileDone() { files++; draw(); },
    ...(opts.verbose ? {
      stored(file: { path: string; status: 'new' | 'changed'; size: number }) {
        if (opts.json) return void process.stdout.write(`${JSON.stringify({ type: 'file', ...file })}\n`);
        if (drawn) process.stderr.write('\r\x1b[K');
        process.stderr.write(`${file.status === 'new' ? 'new    ' : 'changed'} ${file.path}\n`);
        draw(true);
      },
    } : {}),
    warning(message) {
      progress.warnings++;
      if (drawn) process.stderr.write('\r\x1b[K');
      process.stderr.write(`warning: ${message}\n`);
      draw(true);
    },
    finish() {
      if (drawn) process.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
  return progress;
}

function formatEta(secs: number): string {
  if (!isFinite(secs)) return '?';
  const s = Math.round(secs);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function truncateLeft(text: string, width: number): string {
  return text.length <= width ? text : `...${text.slice(text.length - width + 3)}`;
}
