// Ctrl-C and SIGTERM for commands that stop cleanly (ingest): once the work has begun (arm()),
// the first signal aborts it, and it then keeps what it has done and ends with exit status 130
// (SIGINT) or 143 (SIGTERM); a second signal, or any signal before arm() (waiting for a lock,
// say), exits at once. While these listeners are installed, cli/main.ts's own signal handler
// stays out of the way (it acts only when it is the sole listener).
import { EXIT } from '../src/ui/exitCodes.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Installs the listeners; returns the signal to pass to the library, arm() to call when the
 * work that honours it begins, and dispose() to remove the listeners.
 */
export function abortOnSignal(): { signal: AbortSignal; arm(): void; dispose(): void } {
  const controller = new AbortController();
  let armed = false;
  const handler = (signal: NodeJS.Signals) => {
    if (!armed || controller.signal.aborted) process.exit(signal === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED);
    controller.abort(signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    arm: () => { armed = true; },
    dispose: () => { for (const s of SIGNALS) process.off(s, handler); },
  };
}
