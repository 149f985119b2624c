// The real S3 server the backend tests run against: scripts/s3-server.sh starts it and exports
// DEDUPFS_TEST_S3 (its endpoint) and the AWS credentials; .ci/run always does. Without it the S3
// tests are skipped with that reason. Each test gets its own new bucket, emptied and removed after.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, DeleteBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { openBackend } from '../../src/backend/openBackend.js';
import { runCommand } from '../helpers/cli.js';
import type { S3Location } from '../../src/backend/parseRepoLocation.js';

export const S3_ENDPOINT = process.env.DEDUPFS_TEST_S3;
/** The `skip` option of S3 tests: false when a server is there, else why not. */
export const skipS3 = S3_ENDPOINT ? false : 'DEDUPFS_TEST_S3 is not set: start a server with eval "$(scripts/s3-server.sh start)"';

const SERVER_SCRIPT = fileURLToPath(new URL('../../../scripts/s3-server.sh', import.meta.url));

export function adminClient(): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    endpoint: S3_ENDPOINT, forcePathStyle: true, region: process.env.AWS_REGION ?? 'us-east-1',
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A new empty bucket for one test; removed with what is in it when the test ends. */
export async function testBucket(t: { after(fn: () => Promise<void>): void }, prefix = ''): Promise<S3Location> {
  const bucket = `dedupfs-test-${randomBytes(6).toString('hex')}`;
  const client = adminClient();
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await untilBucketIsVisible(client, bucket);
  t.after(async () => {
    const backend = await openBackend(`s3:${S3_ENDPOINT}/${bucket}`);
    const keys: string[] = [];
    for await (const o of backend.list('')) keys.push(o.key);
    await backend.deleteMany(keys);
    await backend.close();
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
  });
  return { kind: 's3', endpoint: S3_ENDPOINT!, bucket, prefix };
}

// S3 promises a new bucket only eventually; a Swift that has just started (its account created
// by this first bucket) has answered HEAD with 404 for a while after the PUT. Wait for it, so
// that a test starts with the bucket it asked for.
async function untilBucketIsVisible(client: S3Client, bucket: string): Promise<void> {
  for (let waited = 0; ; waited += 200) {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      return;
    } catch (err) {
      if (waited >= 30_000) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export interface ForwardingProxy {
  endpoint: string;
  /** The statuses answered instead of forwarding, in order. */
  injected: number[];
  /** Requests received. */
  received(): number;
  /** Stops listening and drops every connection: from here on the endpoint refuses connections, like a dead server. */
  close(): void;
}

/**
 * A proxy on 127.0.0.1 in front of the real server, over http or (with `tls`) https. It
 * forwards each request unchanged (SigV4 signs the Host header, which passes through as sent),
 * except those for which `intercept(n)` returns a status: those get an S3 error answer.
 */
export async function forwardingProxy(t: { after(fn: () => Promise<void>): void }, opts: {
  tls?: { key: Buffer; cert: Buffer };
  intercept?: (n: number) => number | undefined;
} = {}): Promise<ForwardingProxy> {
  const upstream = new URL(S3_ENDPOINT!);
  const injected: number[] = [];
  let n = 0;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const status = opts.intercept?.(++n);
    if (status) {
      injected.push(status);
      req.resume();
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${status === 503 ? 'SlowDown' : 'TooManyRequests'}</Code><Message>Please reduce your request rate.</Message></Error>`);
      return;
    }
    const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
  const server = opts.tls ? createHttpsServer(opts.tls, handle) : createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = (): void => {
    server.closeAllConnections();
    server.close();
  };
  t.after(async () => { if (server.listening) close(); });
  const scheme = opts.tls ? 'https' : 'http';
  return { endpoint: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`, injected, received: () => n, close };
}

/** Runs scripts/s3-server.sh (`stop proxy` plays a dead server, `start` brings it back). */
export async function serverScript(...args: string[]): Promise<void> {
  const r = await runCommand(SERVER_SCRIPT, args);
  if (r.code !== 0) throw new Error(`s3-server.sh ${args.join(' ')} failed: ${r.stderr}`);
}
