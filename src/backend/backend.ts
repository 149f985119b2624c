// What the repository needs from the place that stores its files: a flat name space of whole
// objects under repository-relative keys ('config.json', 'packs/ab/<id>.pack',
// 'snapshots/<id>.json', 'index/<id>', 'locks/<name>.lock'). Two places implement it: a local
// folder (folderBackend.ts) and an S3 bucket (s3Backend.ts). Everything above the backend speaks
// keys, never paths or URLs, so the same block store runs on either.
//
// Invariants every implementation keeps:
// - put/putFile make an object visible only once it is complete: a reader sees the old object,
//   no object, or the whole new one, never a prefix, also when the writer is killed mid-way.
// - An object that put resolved for is durable (fsynced, or acknowledged by the server).
// - get/getRange return exactly the bytes asked for, or throw: a missing object is a
//   DedupfsError NOT_FOUND, a short one REPO_DAMAGED.
// - delete is idempotent: deleting a missing key succeeds.
// - list streams every key under a prefix once, page by page, without holding the whole
//   listing in memory; its order is not promised. Keys whose last part starts with '.' are
//   the backend's own temporary files and are never listed.

/** One stored object, as head and list see it. `modified` is the store's clock, not ours. */
export interface ObjectInfo {
  key: string;
  size: number;
  modified: Date;
}

/** The request kinds that are counted (one count per request sent, retries included). */
export type RequestKind = 'put' | 'get' | 'head' | 'list' | 'delete';

export interface RequestCounts {
  put: number;
  get: number;
  head: number;
  list: number;
  delete: number;
  /** Requests that failed with a temporary error and were sent again (also in the counts above). */
  retries: number;
}

export interface PutOptions {
  /**
   * Skip the queue of data transfers: for small control objects (lock refreshes) that must never
   * wait behind pack uploads.
   */
  urgent?: boolean;
}

export interface Backend {
  /** Where the repository is, for messages: a folder path or 's3:ENDPOINT/BUCKET/PREFIX'. */
  readonly location: string;

  /** Stores `data` under `key`, replacing any object there. */
  put(key: string, data: Uint8Array, opts?: PutOptions): Promise<void>;
  /** Stores the bytes of the local file `path` under `key`, streamed (packs are written locally first). */
  putFile(key: string, path: string): Promise<void>;
  /** The whole object. */
  get(key: string): Promise<Buffer>;
  /**
   * `length` bytes of the object from `offset` on; with `upTo`, fewer where the object ends
   * before (none when it ends at or before `offset`) instead of a REPO_DAMAGED error.
   */
  getRange(key: string, offset: number, length: number, opts?: { upTo?: boolean }): Promise<Buffer>;
  /** Size and modification time, or undefined when there is no such object. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Removes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Removes many objects, in as few requests as the store allows. */
  deleteMany(keys: readonly string[]): Promise<void>;

  /** Requests sent so far, by kind. */
  requestCounts(): RequestCounts;
  /** Lets go of connections; the backend is not used afterwards. */
  close(): Promise<void>;
}

/** A fresh all-zero count, for implementations. */
export function zeroCounts(): RequestCounts {
  return { put: 0, get: 0, head: 0, list: 0, delete: 0, retries: 0 };
}
