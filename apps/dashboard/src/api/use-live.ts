import { useEffect, useState } from 'preact/hooks';
import { live, type Snapshot } from './live-data';

const EMPTY: Snapshot<never> = { data: undefined, error: undefined, fetchedAt: 0 };

/** A view's subscription to a live resource; `path` null watches nothing (e.g. while an id is unknown). */
export function useLive<T>(path: string | null, intervalMs: number): Snapshot<T> {
  const [snap, setSnap] = useState<Snapshot<T>>(EMPTY);
  useEffect(() => {
    setSnap(EMPTY);
    if (!path) return undefined;
    return live.watch<T>(path, intervalMs, setSnap);
  }, [path, intervalMs]);
  return snap;
}
