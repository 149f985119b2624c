// What --repo / DEDUPFS_REPO names: a local folder, or an S3 bucket written
// 's3:URL/BUCKET[/PREFIX]' (URL is http:// or https:// and a host; without a scheme, https).
//   s3:http://127.0.0.1:9000/backups/hosts   -> endpoint http://127.0.0.1:9000, bucket backups, prefix hosts
//   s3:https://s3.example.net/backups        -> bucket backups, no prefix
//   s3:s3.eu-west-1.amazonaws.com/backups/a  -> endpoint https://s3.eu-west-1.amazonaws.com
import { DedupfsError } from '../core/errors.js';

export interface FolderLocation { kind: 'folder'; path: string }

export interface S3Location {
  kind: 's3';
  /** scheme://host[:port], with no path. */
  endpoint: string;
  bucket: string;
  /** The keys' common prefix without a trailing '/', or '' for the bucket's top. */
  prefix: string;
}

export type RepoLocation = FolderLocation | S3Location;

export const S3_SCHEME = 's3:';
const FORM = 's3:http(s)://HOST[:PORT]/BUCKET[/PREFIX]';
// S3's bucket rules, loosened to what S3-compatible servers (Swift, Ceph) also accept.
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;

export function parseRepoLocation(text: string): RepoLocation {
  if (!text.startsWith(S3_SCHEME)) return { kind: 'folder', path: text };
  let rest = text.slice(S3_SCHEME.length);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) rest = `https://${rest}`;
  // URL would resolve '.' and '..' away (bucket/../other -> other): refuse them as written.
  const rawPath = rest.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/, '');
  if (rawPath.split('/').some((p) => /^(\.|%2e){1,2}$/i.test(p))) {
    throw malformed(text, 'its path has a "." or ".." part');
  }
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw malformed(text, 'it is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw malformed(text, `scheme ${url.protocol} is neither http: nor https:`);
  if (url.username || url.password) throw malformed(text, 'credentials do not belong in the URL');
  if (url.search || url.hash) throw malformed(text, 'it has a query or fragment');
  if (!url.hostname) throw malformed(text, 'it names no host');
  const parts = url.pathname.split('/').filter((p, i, all) => p !== '' || (i > 0 && i < all.length - 1)).map((p) => decodePart(text, p));
  const [bucket, ...prefix] = parts;
  if (!bucket) throw malformed(text, 'it names no bucket');
  if (!BUCKET.test(bucket)) throw malformed(text, `bucket name ${JSON.stringify(bucket)} is not valid`);
  if (prefix.some((p) => p === '')) throw malformed(text, 'its prefix has an empty part');
  return { kind: 's3', endpoint: url.origin, bucket, prefix: prefix.join('/') };
}

/** How an S3 location is written back: 's3:ENDPOINT/BUCKET[/PREFIX]'. */
export function formatS3Location(loc: S3Location): string {
  return `${S3_SCHEME}${loc.endpoint}/${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
}

function decodePart(text: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw malformed(text, `${part} has a bad %-escape`);
  }
}

function malformed(text: string, why: string): DedupfsError {
  return new DedupfsError('USAGE', `malformed S3 repository ${JSON.stringify(text)}: ${why}`, {
    hint: `write it as ${FORM}`,
    data: { repo: text, reason: 'malformed-url' },
  });
}
