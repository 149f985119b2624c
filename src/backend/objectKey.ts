// The shape of a backend key, checked once for both backends: relative, '/'-separated, no empty,
// '.' or '..' parts, and a last part that does not start with '.' (those names are the
// backends' temporary files). A bad key is a bug in the caller, not a user error.
export function checkKey(key: string): string {
  const parts = key.split('/');
  const bad = key === '' || parts.some((p) => p === '' || p === '.' || p === '..') || parts[parts.length - 1]!.startsWith('.');
  if (bad) throw new Error(`invalid backend key ${JSON.stringify(key)}`);
  return key;
}
