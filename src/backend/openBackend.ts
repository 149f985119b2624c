// Opens the backend that a --repo / DEDUPFS_REPO value names: a folder, or an S3 bucket with its
// settings from the environment (s3Settings.ts). Opening an S3 backend checks credentials and the
// bucket, so every configuration mistake is reported here, before anything is written. The S3
// SDK is loaded only for an S3 location: a folder repository's commands never load it (start-up).
import type { Backend } from './backend.js';
import { FolderBackend } from './folderBackend.js';
import { parseRepoLocation } from './parseRepoLocation.js';
import type { S3BackendOptions } from './s3Backend.js';
import { s3SettingsFromEnv } from './s3Settings.js';

export async function openBackend(repo: string, opts: { env?: NodeJS.ProcessEnv; s3?: Partial<S3BackendOptions> } = {}): Promise<Backend> {
  const location = parseRepoLocation(repo);
  if (location.kind === 'folder') return new FolderBackend(location.path);
  const { openS3Backend } = await import('./s3Backend.js');
  return openS3Backend({ ...s3SettingsFromEnv(location.endpoint, opts.env), ...opts.s3, location });
}
