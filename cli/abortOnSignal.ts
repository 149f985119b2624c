// Ctrl-C and SIGTERM for commands that stop cleanly (ingest): the first signal aborts the work,
// which then keeps what it has done and ends with exit status 130 (SIGINT) or 143 (SIGTERM); a
// second signal exits at once. While these listeners are installed, cli/main.ts's own signal
// handler stays out of the way (it acts only when it is the sole listener).
import { EXIT } from '../src/ui/exitCodes.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Installs the listeners; returns the signal to pass to the library and a function that removes them. */
export function abortOnSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED);
    controller.abort(signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return { signal: controller.signal, dispose: () => { for (const s of SIGNALS) process.off(s, handler); } };
}
