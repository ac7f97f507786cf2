// The dashboard's one live data layer. Every view asks it for a resource path and gets snapshots;
// nothing else in the app polls. Today it polls each path at the shortest interval any watcher asked
// for, with `If-None-Match` (the gateway answers 304 when the body's ETag is unchanged, so an idle
// page costs a few hundred bytes per poll and no re-render). One request per path however many views
// watch it; paused while the tab is hidden. When the server grows server-sent events or GraphQL
// subscriptions, only `Fetcher`/`LiveData` change: views keep calling `watch`.
import { ApiError, errorFromResponse, send } from './http-client';

export type FetchResult<T> = { kind: 'changed'; data: T; etag: string | null } | { kind: 'unchanged' };
/** Fetches a path, conditionally on the last ETag seen. */
export type Fetcher = (path: string, etag: string | null) => Promise<FetchResult<unknown>>;

export interface Snapshot<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** Epoch ms of the last successful response (200 or 304); 0 before the first. */
  fetchedAt: number;
}

type Listener = (s: Snapshot<unknown>) => void;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export const httpFetcher: Fetcher = async (path, etag) => {
  const r = await send(path, { headers: etag ? { 'if-none-match': etag } : {} });
  if (r.status === 304) return { kind: 'unchanged' };
  if (!r.ok) throw await errorFromResponse(r);
  return { kind: 'changed', data: await r.json(), etag: r.headers.get('etag') };
};

class Resource {
  snapshot: Snapshot<unknown> = { data: undefined, error: undefined, fetchedAt: 0 };
  /** Whether any answer (data or error) has arrived yet. */
  answered = false;
  etag: string | null = null;
  readonly watchers = new Map<Listener, number>();
  timer: unknown = null;
  inFlight: Promise<void> | null = null;
  /** Asked to fetch again while a request was in flight (its answer may predate a write). */
  again = false;
  constructor(readonly path: string) {}
  interval(): number {
    return Math.min(...this.watchers.values());
  }
}

export class LiveData {
  private readonly resources = new Map<string, Resource>();
  private paused = false;

  constructor(
    private readonly fetcher: Fetcher = httpFetcher,
    private readonly clock: Clock = realClock,
  ) {}

  /**
   * Watches `path`, calling `listener` with the current snapshot at once (if any) and on every change.
   * Polls at `intervalMs` (the shortest of all watchers of that path). Returns the unsubscribe.
   */
  watch<T>(path: string, intervalMs: number, listener: (s: Snapshot<T>) => void): () => void {
    let res = this.resources.get(path);
    if (!res) {
      res = new Resource(path);
      this.resources.set(path, res);
    }
    const l = listener as Listener;
    const before = res.watchers.size ? res.interval() : Infinity;
    res.watchers.set(l, intervalMs);
    if (res.answered) l(res.snapshot);
    if (intervalMs < before) this.schedule(res, 0);
    const r = res;
    return () => {
      r.watchers.delete(l);
      if (r.watchers.size === 0) {
        this.cancel(r);
        // Keep the last snapshot a little while: navigating back shows it at once, then revalidates.
      }
    };
  }

  /** Re-fetches now every watched path starting with `prefix` (after a write, or on sign-in). */
  invalidate(prefix = ''): void {
    for (const res of this.resources.values()) {
      if (res.path.startsWith(prefix) && res.watchers.size > 0) this.schedule(res, 0);
    }
  }

  /** Stops polling (tab hidden); `resume` fetches everything watched at once. */
  pause(): void {
    this.paused = true;
    for (const res of this.resources.values()) this.cancel(res);
  }

  resume(): void {
    this.paused = false;
    this.invalidate();
  }

  private cancel(res: Resource): void {
    if (res.timer !== null) this.clock.clearTimeout(res.timer);
    res.timer = null;
  }

  private schedule(res: Resource, delayMs: number): void {
    if (this.paused) return;
    this.cancel(res);
    res.timer = this.clock.setTimeout(() => {
      res.timer = null;
      void this.poll(res);
    }, delayMs);
  }

  private async poll(res: Resource): Promise<void> {
    if (res.inFlight) {
      res.again = true;
      return res.inFlight;
    }
    res.inFlight = (async () => {
      try {
        const out = await this.fetcher(res.path, res.etag);
        const hadError = res.snapshot.error !== undefined;
        res.answered = true;
        if (out.kind === 'changed') {
          res.etag = out.etag;
          res.snapshot = { data: out.data, error: undefined, fetchedAt: this.clock.now() };
          this.notify(res);
        } else {
          res.snapshot = { ...res.snapshot, error: undefined, fetchedAt: this.clock.now() };
          if (hadError) this.notify(res);
        }
      } catch (e) {
        const error = e instanceof ApiError ? e : new ApiError(0, 'NETWORK_ERROR', (e as Error).message);
        res.snapshot = { ...res.snapshot, error };
        res.answered = true;
        this.notify(res);
      } finally {
        res.inFlight = null;
        const again = res.again;
        res.again = false;
        if (res.watchers.size > 0) this.schedule(res, again ? 0 : res.interval());
      }
    })();
    return res.inFlight;
  }

  private notify(res: Resource): void {
    for (const l of [...res.watchers.keys()]) l(res.snapshot);
  }
}

/** The app's instance. */
export const live = new LiveData();
