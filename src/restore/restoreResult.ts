// What a restore did, counted as it goes; `restore --json` prints it as its summary object.
export interface RestoreResult {
  /** the full id of the snapshot restored from */
  snapshot: string;
  /** the absolute target folder */
  target: string;
  dryRun: boolean;
  /** regular files, hard links included */
  files: number;
  /** of those, made as hard links to a file restored before */
  hardLinks: number;
  /** folders created, or (with --overwrite if-changed or always) existing folders given the snapshot's metadata */
  dirs: number;
  symlinks: number;
  /** fifos and device nodes */
  special: number;
  /** sockets: only their metadata is kept, nothing is created */
  skipped: number;
  /** content bytes written (each hard-linked file once) */
  bytes: number;
  /** entries already in the target and identical to the snapshot's: left alone */
  unchanged: number;
  /** entries already in the target that differ from the snapshot's, kept (--overwrite never) */
  kept: number;
  /** entries in the target that the snapshot does not hold, removed (--delete) */
  deleted: number;
  /** entries not restored: unsafe names, conflicts with folders, devices when not root, metadata
   * not set; and one for all the files kept */
  warnings: number;
  /** entries whose content could not be read (damaged or missing blocks) or written */
  errors: number;
}

export function emptyResult(snapshot: string, target: string, dryRun: boolean): RestoreResult {
  return { snapshot, target, dryRun, files: 0, hardLinks: 0, dirs: 0, symlinks: 0, special: 0, skipped: 0, bytes: 0, unchanged: 0, kept: 0, deleted: 0, warnings: 0, errors: 0 };
}
