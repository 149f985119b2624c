// The settings of an S3 repository that are not in its URL, read from the environment.
// Credentials and region are the AWS SDK's own (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_PROFILE, ~/.aws/credentials and ~/.aws/config; AWS_REGION, else
// AWS_DEFAULT_REGION, else the profile's region, else us-east-1). dedupfs adds:
//   DEDUPFS_S3_PATH_STYLE=1|0     bucket in the path (http://host/bucket/key), which MinIO, Ceph and
//                                 Swift want, or in the host name (bucket.host); default 1 except
//                                 for endpoints under amazonaws.com
//   DEDUPFS_S3_CA_FILE=PATH       trust this CA certificate (PEM) for https endpoints
//                                 (AWS_CA_BUNDLE is read too)
//   DEDUPFS_S3_INSECURE=1         do not verify the server's TLS certificate (tests only)
//   DEDUPFS_S3_CONNECTIONS=N      packs uploaded or downloaded at once (default 4, 1 to 64)
import { DedupfsError } from '../core/errors.js';

export interface S3Settings {
  pathStyle: boolean;
  caFile?: string;
  insecure: boolean;
  concurrency: number;
  region?: string;
}

export function s3SettingsFromEnv(endpoint: string, env: NodeJS.ProcessEnv = process.env): S3Settings {
  const onAws = /(^|\.)amazonaws\.com(\.cn)?$/.test(new URL(endpoint).hostname);
  return {
    pathStyle: flag(env, 'DEDUPFS_S3_PATH_STYLE') ?? !onAws,
    caFile: env.DEDUPFS_S3_CA_FILE || env.AWS_CA_BUNDLE || undefined,
    insecure: flag(env, 'DEDUPFS_S3_INSECURE') ?? false,
    concurrency: connections(env.DEDUPFS_S3_CONNECTIONS),
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  };
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new DedupfsError('USAGE', `${name}=${v} is neither 1 nor 0`, { hint: `set ${name}=1 or ${name}=0` });
}

function connections(v: string | undefined): number {
  if (v === undefined || v === '') return 4;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new DedupfsError('USAGE', `DEDUPFS_S3_CONNECTIONS=${v} is not a whole number from 1 to 64`, { hint: 'set DEDUPFS_S3_CONNECTIONS=4, say' });
  }
  return n;
}
