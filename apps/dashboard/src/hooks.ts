import { useEffect, useState } from 'preact/hooks';
import { live, type Snapshot } from './api/live-data';
import { authState, onAuthChange, type AuthState } from './api/session';
import { parseRoute, type Route } from './domain/routes';

export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function useAuthState(): AuthState {
  const [s, setS] = useState(authState());
  useEffect(() => {
    // The state may have changed between the first render and this subscription (the session check
    // at page load answers fast): catch up, then follow.
    setS(authState());
    return onAuthChange(setS);
  }, []);
  return s;
}

/** Pauses the live data layer while the tab is hidden. */
export function usePauseWhenHidden(): void {
  useEffect(() => {
    const on = () => (document.hidden ? live.pause() : live.resume());
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
}

/** Width of an element, following resizes (a callback ref, so an element mounted later is measured too). */
export function useWidth<T extends HTMLElement>(fallback = 800): [(el: T | null) => void, number] {
  const [el, setEl] = useState<T | null>(null);
  const [w, setW] = useState(fallback);
  useEffect(() => {
    if (!el) return undefined;
    setW(el.clientWidth || fallback);
    const ro = new ResizeObserver(([e]) => setW(Math.max(200, Math.floor(e.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, [el, fallback]);
  return [setEl, w];
}

/** Several live resources at once (e.g. the details of a workflow's tasks), keyed by path. */
export function useLiveMany<T>(paths: readonly string[], intervalMs: number): ReadonlyMap<string, Snapshot<T>> {
  const [snaps, setSnaps] = useState<ReadonlyMap<string, Snapshot<T>>>(new Map());
  const key = paths.join('\n');
  useEffect(() => {
    const list = key ? key.split('\n') : [];
    setSnaps((prev) => new Map([...prev].filter(([p]) => list.includes(p))));
    const offs = list.map((p) =>
      live.watch<T>(p, intervalMs, (s) =>
        setSnaps((prev) => {
          const next = new Map(prev);
          next.set(p, s);
          return next;
        }),
      ),
    );
    return () => offs.forEach((off) => off());
  }, [key, intervalMs]);
  return snaps;
}

/** Re-renders every `ms` (for "running for 12 s" and the Gantt's moving now). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
