// Short snapshot ids for folder names: for each id, its shortest prefix (at least `min` hex
// digits) that no other id shares, found by comparing each id with its neighbours in sort order.

/** The unique short form of each of `ids`, in the same order. */
export function shortIds(ids: string[], min = 8): string[] {
  const sorted = [...ids].sort();
  const common = (a: string | undefined, b: string | undefined) => {
    if (a === undefined || b === undefined) return 0;
    let n = 0;
    while (n < a.length && a[n] === b[n]) n++;
    return n;
  };
  const length = new Map<string, number>();
  sorted.forEach((id, i) => {
    length.set(id, Math.max(min, common(id, sorted[i - 1]) + 1, common(id, sorted[i + 1]) + 1));
  });
  return ids.map((id) => id.slice(0, length.get(id)));
}
