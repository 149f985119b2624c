// Writes a stream of output to stdout, waiting for 'drain' when the reader is slower than we
// are (so `cat` of a huge file through a slow pipe holds little memory). A reader that goes
// away (EPIPE, as in `dedupfs cat ... | head`) ends the output quietly: the producer is
// stopped, and the command still unwinds normally and releases its lock.
import { once } from 'node:events';

export async function streamToStdout(chunks: AsyncIterable<Buffer | string>, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  let failure: NodeJS.ErrnoException | null = null;
  const onError = (err: NodeJS.ErrnoException) => { failure ??= err; };
  out.on('error', onError);
  try {
    for await (const chunk of chunks) {
      if (!out.write(chunk)) await once(out, 'drain').catch(onError);
      if (failure) break;
    }
  } finally {
    out.off('error', onError);
  }
  const err = failure as NodeJS.ErrnoException | null;
  if (err && err.code !== 'EPIPE') throw err;
}

/** For output written line by line as work goes on (restore --dry-run): a reader that goes
 * away makes further lines vanish instead of crashing the command midway. */
export function ignoreClosedStdout(out: NodeJS.WritableStream = process.stdout): void {
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
