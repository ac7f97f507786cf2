import { SchedulingError } from '../model/errors';
import { RESOURCE_KEYS, ZERO_RESOURCES, type MutableResources, type Resources } from '../model/resources';
import type { Task } from '../model/task.model';
import type { PolicyObserver } from '../policies/observed.policy';

/** One tenant's time-averaged share of the cluster over a stretch of time. */
export interface TenantShareFigures {
  /** Mean dominant share (max over resources of allocated ÷ capacity), the quantity DRF equalises. */
  readonly dominant: number;
  readonly cpu: number;
  readonly mem: number;
}

export interface ShareWindow {
  readonly start: number;
  readonly end: number;
  /** Seconds of the window during which every tracked tenant had queued work. */
  readonly contendedSeconds: number;
  /** Shares averaged over the contended seconds only (zeros when there were none). */
  readonly contended: Readonly<Record<string, TenantShareFigures>>;
  /** Shares averaged over the whole window. */
  readonly all: Readonly<Record<string, TenantShareFigures>>;
}

interface Acc {
  dominant: number;
  cpu: number;
  mem: number;
}

/**
 * Integrates each tenant's allocation over time from what a policy starts and stops (attach with
 * ObservedPolicy), in fixed windows, separately for the time when every tracked tenant had work
 * waiting: only then does a fair-share policy have a choice to make, so only then is the share ratio
 * a measure of it. Allocation is piecewise constant between events, so the integrals are exact.
 */
export class TenantShareRecorder implements PolicyObserver {
  private readonly alloc = new Map<string, MutableResources>();
  private readonly queued = new Map<string, number>();
  private readonly windows: Array<{ contended: number; accAll: Map<string, Acc>; accContended: Map<string, Acc> }> = [];
  private origin: number | null = null;
  private last = 0;

  constructor(
    private readonly capacity: Resources,
    readonly tenants: readonly string[],
    readonly windowSeconds: number,
  ) {
    if (!(windowSeconds > 0)) throw new SchedulingError('INVALID_ARGUMENT', `window must be positive seconds, got ${windowSeconds}`);
    if (tenants.length < 2) throw new SchedulingError('INVALID_ARGUMENT', 'share ratios need at least two tenants');
    for (const t of tenants) {
      this.alloc.set(t, { ...ZERO_RESOURCES });
      this.queued.set(t, 0);
    }
  }

  onEnqueue(task: Task, count: number, now: number): void {
    this.advance(now);
    if (this.queued.has(task.tenant)) this.queued.set(task.tenant, (this.queued.get(task.tenant) ?? 0) + count);
  }

  onStart(task: Task, _node: number, now: number): void {
    this.advance(now);
    const a = this.alloc.get(task.tenant);
    if (!a) return;
    this.queued.set(task.tenant, (this.queued.get(task.tenant) ?? 0) - 1);
    for (const k of RESOURCE_KEYS) a[k] += task.request[k];
  }

  onEnd(task: Task, _node: number, _startedAt: number, now: number): void {
    this.advance(now);
    const a = this.alloc.get(task.tenant);
    if (a) for (const k of RESOURCE_KEYS) a[k] = Math.max(0, a[k] - task.request[k]);
  }

  onRemove(task: Task, pending: number): void {
    if (this.queued.has(task.tenant)) this.queued.set(task.tenant, (this.queued.get(task.tenant) ?? 0) - pending);
  }

  /** Closes the record at `now` and returns the windows (the last one may be partial). */
  finish(now: number): ShareWindow[] {
    this.advance(now);
    const o = this.origin ?? now;
    return this.windows.map((w, i) => {
      const start = o + i * this.windowSeconds;
      const end = Math.min(start + this.windowSeconds, Math.max(now, start));
      const span = end - start;
      const avg = (acc: Map<string, Acc>, over: number) =>
        Object.fromEntries(this.tenants.map((t) => {
          const a = acc.get(t);
          return [t, over > 0 && a ? { dominant: a.dominant / over, cpu: a.cpu / over, mem: a.mem / over } : { dominant: 0, cpu: 0, mem: 0 }];
        }));
      return { start, end, contendedSeconds: w.contended, contended: avg(w.accContended, w.contended), all: avg(w.accAll, span) };
    });
  }

  private advance(now: number): void {
    if (this.origin === null) {
      this.origin = now;
      this.last = now;
      return;
    }
    let t = this.last;
    if (now <= t) return;
    const contended = this.tenants.every((x) => (this.queued.get(x) ?? 0) > 0);
    const shares = new Map<string, Acc>();
    for (const x of this.tenants) {
      const a = this.alloc.get(x) ?? ZERO_RESOURCES;
      let dominant = 0;
      for (const k of RESOURCE_KEYS) if (this.capacity[k] > 0) dominant = Math.max(dominant, a[k] / this.capacity[k]);
      shares.set(x, { dominant, cpu: this.capacity.cpuMillis > 0 ? a.cpuMillis / this.capacity.cpuMillis : 0, mem: this.capacity.memMb > 0 ? a.memMb / this.capacity.memMb : 0 });
    }
    // Split [last, now) at window boundaries.
    while (t < now) {
      const wi = Math.floor((t - this.origin) / this.windowSeconds);
      const wEnd = this.origin + (wi + 1) * this.windowSeconds;
      const piece = Math.min(now, wEnd) - t;
      while (this.windows.length <= wi) this.windows.push({ contended: 0, accAll: new Map(), accContended: new Map() });
      const w = this.windows[wi]!;
      if (contended) w.contended += piece;
      for (const [x, s] of shares) {
        add(w.accAll, x, s, piece);
        if (contended) add(w.accContended, x, s, piece);
      }
      t += piece;
    }
    this.last = now;
  }
}

function add(acc: Map<string, Acc>, tenant: string, s: Acc, dt: number): void {
  const a = acc.get(tenant) ?? { dominant: 0, cpu: 0, mem: 0 };
  a.dominant += s.dominant * dt;
  a.cpu += s.cpu * dt;
  a.mem += s.mem * dt;
  acc.set(tenant, a);
}

/** Time-weighted share ratio a ÷ b over the windows' contended time (null when there was none). */
export function contendedShareRatio(windows: readonly ShareWindow[], a: string, b: string, figure: keyof TenantShareFigures = 'dominant'): number | null {
  let num = 0;
  let den = 0;
  for (const w of windows) {
    num += (w.contended[a]?.[figure] ?? 0) * w.contendedSeconds;
    den += (w.contended[b]?.[figure] ?? 0) * w.contendedSeconds;
  }
  return den > 0 ? num / den : null;
}
