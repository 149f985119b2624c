// What long operations (ingest, restore, check, gc) tell the outside world while they run. The
// library only calls these; src/ui decides whether they become a status line, JSON lines or
// nothing. Every method is optional.
export interface Reporter {
  /** totals known up front, when they are */
  start?(totals: { files?: number; bytes?: number }): void;
  /** the file now being worked on (a display path) */
  item?(path: string): void;
  /** `n` more bytes processed */
  bytes?(n: number): void;
  /** `n` bytes accounted for without being read (files unchanged since the parent snapshot) */
  skipped?(n: number): void;
  /** a file was read and stored because it is new, or changed since the parent snapshot (ingest --verbose) */
  stored?(file: { path: string; status: 'new' | 'changed'; size: number }): void;
  /** one more file done */
  fileDone?(): void;
  /** something went wrong with one item; the operation goes on */
  warning?(message: string): void;
}

export const silentReporter: Reporter = {};
