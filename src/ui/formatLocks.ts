// How `dedupfs unlock` reports the locks it removed.
export function formatUnlock(removed: string[], all: boolean): string {
  if (!removed.length) return all ? 'no locks to remove\n' : 'no stale locks (use --all to remove every lock)\n';
  return removed.map((d) => `removed ${d}\n`).join('');
}
