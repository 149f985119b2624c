// The backend of a repository in an S3 bucket (AWS S3, Ceph RGW, MinIO, OpenStack Swift's s3api),
// on @aws-sdk/client-s3. A key K is the object PREFIX/K. A single PutObject is atomic on every
// S3 server (the object appears only once complete), which gives the backend's visibility
// invariant; packs stay well below the 5 GiB single-PUT limit.
//
// The SDK's own retries are off (maxAttempts 1): this module retries (retryPolicy.ts) so that it
// can count every request sent and give up quickly on an endpoint it never reached. Data
// transfers (put, get) wait in a queue of `concurrency`; heads, lists, deletes and urgent puts
// (lock refreshes) do not, and the connection pool is larger than the queue, so they never
// wait behind a pack upload.
//
// Swift's s3api needs two things the SDK does not do by default: no aws-chunked streaming
// checksums (requestChecksumCalculation WHEN_REQUIRED), and Content-MD5 on DeleteObjects.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig, type ServiceInputTypes, type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
// @smithy/types comes with @aws-sdk/client-s3 (its dependency), for the middleware's type only.
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { ioError } from '../core/errors.js';
import { Limiter } from '../core/limiter.js';
import { zeroCounts, type Backend, type ObjectInfo, type PutOptions, type RequestCounts, type RequestKind } from './backend.js';
import { checkKey } from './objectKey.js';
import { formatS3Location, type S3Location } from './parseRepoLocation.js';
import { backoffMs, DEFAULT_RETRY_POLICY, isRetryable, type RetryPolicy } from './retryPolicy.js';
import { s3Error } from './s3Error.js';
import type { S3Settings } from './s3Settings.js';
import { shortObject } from './shortObject.js';

export interface S3BackendOptions extends S3Settings {
  location: S3Location;
  retry?: Partial<RetryPolicy>;
  /** How long connecting may take before the attempt counts as failed (default 3 s). */
  connectTimeoutMs?: number;
  /** How long a connection may sit idle mid-request before the attempt counts as failed (default 30 s). */
  idleTimeoutMs?: number;
  /** How long the first request (HEAD of the bucket) may take, so a server that accepts and never answers fails fast (default 5 s). */
  openTimeoutMs?: number;
  /** Keys asked for per listing request (default and S3's most: 1000; tests page with fewer). */
  pageKeys?: number;
}

const DELETE_BATCH = 1000;

/** Opens the bucket: finds credentials and region, and checks with one HEAD that the bucket answers. */
export async function openS3Backend(opts: S3BackendOptions): Promise<S3Backend> {
  const backend = new S3Backend(opts, await makeClient(opts));
  await backend.checkBucket();
  return backend;
}

export class S3Backend implements Backend {
  readonly location: string;
  private readonly counts = zeroCounts();
  private readonly transfers: Limiter;
  private readonly policy: RetryPolicy;
  private readonly prefix: string;
  private reached = false;

  constructor(private readonly opts: S3BackendOptions, private readonly client: S3Client) {
    this.location = formatS3Location(opts.location);
    this.transfers = new Limiter(opts.concurrency);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.prefix = opts.location.prefix ? `${opts.location.prefix}/` : '';
  }

  async checkBucket(): Promise<void> {
    await this.request('head', 'open the bucket', undefined, () => this.client.send(new HeadBucketCommand({ Bucket: this.bucket }),
      { abortSignal: AbortSignal.timeout(this.opts.openTimeoutMs ?? 5000) }));
  }

  async put(key: string, data: Uint8Array, opts: PutOptions = {}): Promise<void> {
    const send = (): Promise<unknown> => this.request('put', `put ${key}`, key, () => this.client.send(new PutObjectCommand({
      Bucket: this.bucket, Key: this.objectKey(key), Body: data, ContentLength: data.byteLength,
    })));
    await (opts.urgent ? send() : this.transfers.run(send));
  }

  async putFile(key: string, path: string): Promise<void> {
    const size = (await stat(path).catch((err) => { throw ioError(err, 'cannot read', path); })).size;
    await this.transfers.run(() => this.request('put', `put ${key}`, key, async () => {
      const body = createReadStream(path);   // a new stream per attempt; closed whatever happens
      try {
        return await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: body, ContentLength: size }));
      } finally {
        body.destroy();
      }
    }));
  }

  async get(key: string): Promise<Buffer> {
    return this.transfers.run(() => this.request('get', `get ${key}`, key, async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return readBody(out.Body as Readable, out.ContentLength);
    }));
  }

  async getRange(key: string, offset: number, length: number, opts: { upTo?: boolean } = {}): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    const got = await this.transfers.run(() => this.request('get', `get ${key}`, key, async () => {
      const out = await this.client.send(new GetObjectCommand({
        Bucket: this.bucket, Key: this.objectKey(key), Range: `bytes=${offset}-${offset + length - 1}`,
      }));
      return readBody(out.Body as Readable, out.ContentLength);
    }).catch((err) => {
      // 416: the range starts at or after the object's end.
      if ((err as { data?: { status?: number } }).data?.status === 416) return Buffer.alloc(0);
      throw err;
    }));
    if (got.length !== length && !(opts.upTo && got.length < length)) throw shortObject(this.location, key, offset, length, got.length);
    return got;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.request('head', `head ${key}`, key, () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })));
      return { key, size: out.ContentLength ?? 0, modified: out.LastModified ?? new Date(0) };
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.request('list', `list ${prefix || 'all objects'}`, undefined, () => this.client.send(new ListObjectsV2Command({
        Bucket: this.bucket, Prefix: this.prefix + prefix, MaxKeys: this.opts.pageKeys ?? 1000, ContinuationToken: token,
      })));
      for (const o of page.Contents ?? []) {
        const key = o.Key!.slice(this.prefix.length);
        if (!key.slice(key.lastIndexOf('/') + 1).startsWith('.')) yield { key, size: o.Size ?? 0, modified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    await this.request('delete', `delete ${key}`, key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })))
      .catch((err) => { if ((err as { code?: string }).code !== 'NOT_FOUND') throw err; });
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const out = await this.request('delete', `delete ${batch.length} objects`, batch[0], () => this.client.send(new DeleteObjectsCommand({
        Bucket: this.bucket, Delete: { Objects: batch.map((k) => ({ Key: this.objectKey(k) })), Quiet: true },
      })));
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length) {
        throw s3Error({ name: failed[0]!.Code, message: failed[0]!.Message, $metadata: {} }, this.context(`delete ${failed[0]!.Key}`, failed[0]!.Key));
      }
    }
  }

  requestCounts(): RequestCounts {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private get bucket(): string {
    return this.opts.location.bucket;
  }

  private objectKey(key: string): string {
    return this.prefix + checkKey(key);
  }

  private context(action: string, key?: string, attempts?: number): Parameters<typeof s3Error>[1] {
    const { endpoint, bucket } = this.opts.location;
    return { location: this.location, endpoint, bucket, action, key, attempts };
  }

  // Sends one request (`send` may also read the answer's body), counting it, and again after a
  // backoff while the failure is temporary and the budget lasts.
  private async request<T>(kind: RequestKind, action: string, key: string | undefined, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.counts[kind]++;
      try {
        const out = await send();
        this.reached = true;
        return out;
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode) this.reached = true;
        const budget = this.reached ? this.policy.attempts : this.policy.firstContactAttempts;
        if (!isRetryable(err) || attempt >= budget) throw s3Error(err, this.context(action, key, attempt > 1 ? attempt : undefined));
        this.counts.retries++;
        await sleep(backoffMs(this.policy, attempt));
      }
    }
  }
}

// An answer's body in one buffer, each part copied in as it arrives: the SDK's
// transformToByteArray keeps every part until the end, then copies them all into a new array,
// which doubled the memory and the copying of each 4 MiB segment a restore reads. A body that
// ends before the length its answer announced is a broken connection (retried), not a short object.
async function readBody(body: Readable, announced: number | undefined): Promise<Buffer> {
  if (announced === undefined) return Buffer.concat(await body.toArray() as Buffer[]);
  const out = Buffer.allocUnsafe(announced);
  let got = 0;
  for await (const part of body as AsyncIterable<Buffer>) {
    if (got + part.length > announced) throw brokenAnswer(`more than the ${announced} bytes it announced`);
    part.copy(out, got);
    got += part.length;
  }
  if (got !== announced) throw brokenAnswer(`${got} of the ${announced} bytes it announced`);
  return out;
}

function brokenAnswer(what: string): Error {
  return Object.assign(new Error(`the connection broke: the answer held ${what}`), { code: 'ECONNRESET' });
}

const quiet = (): void => undefined;
const SILENT = { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };

async function makeClient(opts: S3BackendOptions): Promise<S3Client> {
  // The SDK warns on Node 20 about its own future versions; dedupfs pins one that supports Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const ca = opts.caFile ? await readFile(opts.caFile).catch((err) => { throw ioError(err, 'cannot read CA file', opts.caFile!); }) : undefined;
  const agent = { keepAlive: true, maxSockets: opts.concurrency + 16 };
  const config: S3ClientConfig = {
    endpoint: opts.location.endpoint,
    forcePathStyle: opts.pathStyle,
    maxAttempts: 1,
    // Silent: without a logger of its own the SDK prints a warning on the console for every failed
    // streamed upload (a pack's), which this module retries and reports in one line itself.
    logger: SILENT,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: opts.connectTimeoutMs ?? 3000,
      socketTimeout: opts.idleTimeoutMs ?? 30_000,
      httpAgent: agent,
      httpsAgent: { ...agent, ca, rejectUnauthorized: !opts.insecure },
    },
  };
  let client = new S3Client(opts.region ? { ...config, region: opts.region } : config);
  if (!opts.region) {
    // No region in the environment: the profile's, else us-east-1 (S3-compatible servers mostly ignore it).
    const region = await client.config.region().catch(() => undefined);
    if (!region) { client.destroy(); client = new S3Client({ ...config, region: 'us-east-1' }); }
  }
  await client.config.credentials().catch((err) => {
    client.destroy();
    throw s3Error(err, { location: formatS3Location(opts.location), endpoint: opts.location.endpoint, bucket: opts.location.bucket, action: 'find credentials' });
  });
  addDeleteObjectsMd5(client);
  return client;
}

// Swift's s3api refuses DeleteObjects without Content-MD5, which the SDK replaced by a CRC32
// header. Every S3 server accepts Content-MD5, so it is sent instead of the CRC32 everywhere.
function addDeleteObjectsMd5(client: S3Client): void {
  const md5: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => async (args) => {
    const request = args.request as { headers?: Record<string, string>; body?: unknown };
    if (context.commandName === 'DeleteObjectsCommand' && request.headers && typeof request.body === 'string') {
      for (const name of Object.keys(request.headers)) {
        if (/^x-amz-(checksum-|sdk-checksum)/i.test(name)) delete request.headers[name];
      }
      request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
    }
    return next(args);
  };
  client.middlewareStack.addRelativeTo(md5, { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'dedupfsDeleteObjectsMd5' });
}
