// Turns what the AWS SDK throws into one DedupfsError line that names the problem and what to do.
// The codes: a malformed URL, missing or refused credentials are USAGE (the settings are wrong);
// a missing bucket is NO_REPOSITORY; a missing object NOT_FOUND; an unreachable or failing server
// IO. data.reason says which case it is, for --json and for tests.
import { DedupfsError } from '../core/errors.js';
import { isNetworkError } from './retryPolicy.js';

export interface S3ErrorContext {
  /** 's3:ENDPOINT/BUCKET/PREFIX', for messages. */
  location: string;
  endpoint: string;
  bucket: string;
  /** What was being done: 'put packs/ab/x.pack', 'open'. */
  action: string;
  key?: string;
  attempts?: number;
}

const CREDENTIAL_HINT = 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile in ~/.aws/credentials';
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO/;

export function s3Error(err: unknown, ctx: S3ErrorContext): DedupfsError {
  if (err instanceof DedupfsError) return err;
  const e = err as { name?: string; code?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.Code ?? e?.name ?? 'Error';
  const make = (code: DedupfsError['code'], reason: string, message: string, hint: string): DedupfsError =>
    new DedupfsError(code, message, { hint, cause: err, data: { repo: ctx.location, reason, key: ctx.key, status, s3Code: name } });

  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e?.message ?? '')) {
    return make('USAGE', 'no-credentials', `no S3 credentials found for ${ctx.location}`, CREDENTIAL_HINT);
  }
  if (status === 403 || name === 'SignatureDoesNotMatch' || name === 'InvalidAccessKeyId' || name === 'AccessDenied') {
    return make('USAGE', 'credentials-refused', `S3 server ${ctx.endpoint} refused the credentials for bucket ${ctx.bucket} (${name === 'Forbidden' || name === 'Error' ? '403' : name})`,
      `check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the AWS_PROFILE) and that they may use bucket ${ctx.bucket}`);
  }
  if (name === 'NoSuchBucket' || (status === 404 && ctx.key === undefined)) {
    return make('NO_REPOSITORY', 'no-bucket', `bucket ${ctx.bucket} does not exist on ${ctx.endpoint}`,
      'create the bucket with the storage provider\'s tools (dedupfs does not create buckets), or correct the s3: URL');
  }
  if (name === 'NoSuchKey' || status === 404) {
    return make('NOT_FOUND', 'no-object', `object ${ctx.key} does not exist in ${ctx.location}`, 'run "dedupfs check" to find what is missing');
  }
  const netCode = e?.code ?? e?.cause?.code ?? '';
  if (TLS_CODES.test(netCode)) {
    return make('IO', 'tls', `TLS with ${ctx.endpoint} failed (${netCode})`,
      'check that the server speaks https there (else write http://); for a certificate signed by your own CA set DEDUPFS_S3_CA_FILE, or DEDUPFS_S3_INSECURE=1 to skip the check');
  }
  if (isNetworkError(err)) {
    return make('IO', 'unreachable', `cannot reach S3 server ${ctx.endpoint} (${netCode || name}${ctx.attempts ? ` after ${ctx.attempts} attempts` : ''})`,
      'check the endpoint in the s3: URL, the network, and that the server runs; then run the command again');
  }
  if (status !== undefined && status >= 500 || status === 429) {
    return make('IO', 'server-error', `S3 server ${ctx.endpoint} failed to ${ctx.action}: ${status} ${name}${ctx.attempts ? ` after ${ctx.attempts} attempts` : ''}`,
      'the server is overloaded or failing; run the command again later');
  }
  const detail = (e?.message ?? String(err)).split('\n')[0]!.trim();
  return make('IO', 's3-error', `S3 request to ${ctx.action} in ${ctx.location} failed: ${status ?? ''} ${name}: ${detail}`.replace(/ {2,}/g, ' '),
    'check the server\'s logs; if it persists, report it with this message');
}
