// Orders the changes of a writable mount and keeps them out of a commit. Changes to names and
// metadata run one at a time (a copy-up awaits block reads, and its journal line must name
// the path the file still has when it is written); a commit holds the gate, so the tree it
// stores cannot change under it, and changes that arrive meanwhile wait for it. Reads never wait.
export class ChangeGate {
  /** how many changes were made since the mount started */
  changes = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private held: Promise<void> | null = null;

  /** true while no commit holds the gate: a write may go ahead at once. */
  get open(): boolean {
    return this.held === null;
  }

  /** Runs `work` after every change before it and any commit in progress. */
  change<T>(work: () => Promise<T> | T): Promise<T> {
    const run = this.tail.then(async () => {
      while (this.held) await this.held;
      try {
        return await work();
      } finally {
        this.changes++;
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Waits for a write that found the gate held. */
  async whenOpen(): Promise<void> {
    while (this.held) await this.held;
  }

  /** Runs `work` once the changes queued so far are done, with every later change waiting. */
  hold<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      while (this.held) await this.held;
      let release!: () => void;
      this.held = new Promise((resolve) => { release = resolve; });
      try {
        return await work();
      } finally {
        this.held = null;
        release();
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
