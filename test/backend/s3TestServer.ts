// The real S3 server the backend tests run against: scripts/s3-server.sh starts it and exports
// DEDUPFS_TEST_S3 (its endpoint) and the AWS credentials; .ci/run always does. Without it the S3
// tests are skipped with that reason. Each test gets its own new bucket, emptied and removed after.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
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

/** Runs scripts/s3-server.sh (`stop proxy` plays a dead server, `start` brings it back). */
export async function serverScript(...args: string[]): Promise<void> {
  const r = await runCommand(SERVER_SCRIPT, args);
  if (r.code !== 0) throw new Error(`s3-server.sh ${args.join(' ')} failed: ${r.stderr}`);
}
