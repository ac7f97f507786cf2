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

/** Which stretches of time a figure is averaged over. */
export const SHARE_CONDITIONS = ['all', 'contended', 'backlogged'] as const;
export type ShareCondition = (typeof SHARE_CONDITIONS)[number];

export interface ShareWindow {
  readonly start: number;
  readonly end: number;
  /**
   * Seconds of the window under each condition: `all`; `contended`, every tracked tenant had
   * instances queued; `backlogged`, every tracked tenant's running plus queued work came to at least
   * its entitlement (weight ÷ total weight, as a dominant share): enough work to use its share,
   * which is DRF's own premise.
   */
  readonly seconds: Readonly<Record<ShareCondition, number>>;
  /** Shares averaged over the seconds of each condition (zeros when there were none). */
  readonly shares: Readonly<Record<ShareCondition, Readonly<Record<string, TenantShareFigures>>>>;
}

interface Acc {
  dominant: number;
  cpu: number;
  mem: number;
}

interface WindowAcc {
  seconds: Record<ShareCondition, number>;
  acc: Record<ShareCondition, Map<string, Acc>>;
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
  private readonly queuedDemand = new Map<string, MutableResources>();
  private readonly entitlement = new Map<string, number>();
  private readonly windows: WindowAcc[] = [];
  private origin: number | null = null;
  private last = 0;

  /** `weights`: per tracked tenant (default 1 each), for the backlogged condition. */
  constructor(
    private readonly capacity: Resources,
    readonly tenants: readonly string[],
    readonly windowSeconds: number,
    weights: Readonly<Record<string, number>> = {},
  ) {
    if (!(windowSeconds > 0)) throw new SchedulingError('INVALID_ARGUMENT', `window must be positive seconds, got ${windowSeconds}`);
    if (tenants.length < 2) throw new SchedulingError('INVALID_ARGUMENT', 'share ratios need at least two tenants');
    const total = tenants.reduce((s, t) => s + (weights[t] ?? 1), 0);
    for (const t of tenants) {
      this.alloc.set(t, { ...ZERO_RESOURCES });
      this.queuedDemand.set(t, { ...ZERO_RESOURCES });
      this.queued.set(t, 0);
      this.entitlement.set(t, (weights[t] ?? 1) / total);
    }
  }

  onEnqueue(task: Task, count: number, now: number): void {
    this.advance(now);
    const q = this.queuedDemand.get(task.tenant);
    if (!q) return;
    this.queued.set(task.tenant, (this.queued.get(task.tenant) ?? 0) + count);
    for (const k of RESOURCE_KEYS) q[k] += task.request[k] * count;
  }

  onStart(task: Task, _node: number, now: number): void {
    this.advance(now);
    const a = this.alloc.get(task.tenant);
    const q = this.queuedDemand.get(task.tenant);
    if (!a || !q) return;
    this.queued.set(task.tenant, (this.queued.get(task.tenant) ?? 0) - 1);
    for (const k of RESOURCE_KEYS) {
      a[k] += task.request[k];
      q[k] = Math.max(0, q[k] - task.request[k]);
    }
  }

  onEnd(task: Task, _node: number, _startedAt: number, now: number): void {
    this.advance(now);
    const a = this.alloc.get(task.tenant);
    if (a) for (const k of RESOURCE_KEYS) a[k] = Math.max(0, a[k] - task.request[k]);
  }

  onRemove(task: Task, pending: number): void {
    const q = this.queuedDemand.get(task.tenant);
    if (!q) return;
    this.queued.set(task.tenant, (this.queued.get(task.tenant) ?? 0) - pending);
    for (const k of RESOURCE_KEYS) q[k] = Math.max(0, q[k] - task.request[k] * pending);
  }

  /** Closes the record at `now` and returns the windows (the last one may be partial). */
  finish(now: number): ShareWindow[] {
    this.advance(now);
    const o = this.origin ?? now;
    return this.windows.map((w, i) => {
      const start = o + i * this.windowSeconds;
      const end = Math.min(start + this.windowSeconds, Math.max(now, start));
      const shares = Object.fromEntries(
        SHARE_CONDITIONS.map((c) => {
          const over = w.seconds[c];
          return [
            c,
            Object.fromEntries(
              this.tenants.map((t) => {
                const a = w.acc[c].get(t);
                return [t, over > 0 && a ? { dominant: a.dominant / over, cpu: a.cpu / over, mem: a.mem / over } : { dominant: 0, cpu: 0, mem: 0 }];
              }),
            ),
          ];
        }),
      ) as Record<ShareCondition, Record<string, TenantShareFigures>>;
      return { start, end, seconds: { ...w.seconds }, shares };
    });
  }

  private share(v: Resources): Acc {
    let dominant = 0;
    for (const k of RESOURCE_KEYS) if (this.capacity[k] > 0) dominant = Math.max(dominant, v[k] / this.capacity[k]);
    return { dominant, cpu: this.capacity.cpuMillis > 0 ? v.cpuMillis / this.capacity.cpuMillis : 0, mem: this.capacity.memMb > 0 ? v.memMb / this.capacity.memMb : 0 };
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
    const backlogged = this.tenants.every((x) => {
      const a = this.alloc.get(x) ?? ZERO_RESOURCES;
      const q = this.queuedDemand.get(x) ?? ZERO_RESOURCES;
      const total: MutableResources = { ...ZERO_RESOURCES };
      for (const k of RESOURCE_KEYS) total[k] = a[k] + q[k];
      return (this.queued.get(x) ?? 0) > 0 && this.share(total).dominant >= (this.entitlement.get(x) ?? 0) - 1e-9;
    });
    const held = new Map(this.tenants.map((x) => [x, this.share(this.alloc.get(x) ?? ZERO_RESOURCES)]));
    const on: Record<ShareCondition, boolean> = { all: true, contended, backlogged };
    // Split [last, now) at window boundaries.
    while (t < now) {
      const wi = Math.floor((t - this.origin) / this.windowSeconds);
      const wEnd = this.origin + (wi + 1) * this.windowSeconds;
      const piece = Math.min(now, wEnd) - t;
      while (this.windows.length <= wi) this.windows.push({ seconds: { all: 0, contended: 0, backlogged: 0 }, acc: { all: new Map(), contended: new Map(), backlogged: new Map() } });
      const w = this.windows[wi]!;
      for (const c of SHARE_CONDITIONS) {
        if (!on[c]) continue;
        w.seconds[c] += piece;
        for (const [x, s] of held) add(w.acc[c], x, s, piece);
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

/** Time-weighted share ratio a ÷ b over the windows' seconds under `condition` (null when there were none). */
export function shareRatio(windows: readonly ShareWindow[], a: string, b: string, condition: ShareCondition = 'contended', figure: keyof TenantShareFigures = 'dominant'): number | null {
  let num = 0;
  let den = 0;
  for (const w of windows) {
    num += (w.shares[condition][a]?.[figure] ?? 0) * w.seconds[condition];
    den += (w.shares[condition][b]?.[figure] ?? 0) * w.seconds[condition];
  }
  return den > 0 ? num / den : null;
}
