/** A series is (source, metric, labels); its key is canonical: labels sorted by name. */
export function canonicalLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function seriesKey(source: string, metric: string, labels: Record<string, string>): string {
  return JSON.stringify([source, metric, sortedAlready(labels) ? labels : canonicalLabels(labels)]);
}

/** Labels whose names are already in order (the common case: one label, or a producer that sorts) need no copy. */
function sortedAlready(labels: Record<string, string>): boolean {
  let prev: string | null = null;
  for (const k in labels) {
    if (prev !== null && !(prev < k)) return false;
    prev = k;
  }
  return true;
}
