// The one error both backends give when an object ends before the range a reader asked for:
// the object is damaged (truncated), not missing.
import { DedupfsError } from '../core/errors.js';

export function shortObject(location: string, key: string, offset: number, length: number, got: number): DedupfsError {
  return new DedupfsError('REPO_DAMAGED', `object ${key} in ${location} is shorter than expected: ${got} of ${length} bytes at offset ${offset}`, {
    hint: 'run "dedupfs check" to find what is damaged',
    data: { key, offset, length, got },
  });
}
