import { N_CONTEXT, N_TASK } from './neural-features';
import type { TrajectoryRecorder } from './neural.policy';
import type { FeatureNormalisation } from './policy-weights.factory';

/** A growable Float32Array. */
class FloatBuffer {
  private buf: Float32Array;
  length = 0;
  constructor(initial = 1024) {
    this.buf = new Float32Array(initial);
  }
  push(values: Float64Array, from: number, count: number): void {
    if (this.length + count > this.buf.length) {
      const next = new Float32Array(Math.max(this.buf.length * 2, this.length + count));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    for (let i = 0; i < count; i++) this.buf[this.length + i] = values[from + i] as number;
    this.length += count;
  }
  view(): Float32Array {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Waiting cost per second while the queue holds `queuedInstances` instances and Σ pending ÷
 * instances = `weightedQueued`: the integral of `perInstance × queuedInstances` over time is the
 * per-instance wait sum scaled, that of `perTask × weightedQueued` the per-task mean wait sum scaled
 * (a task's instances each weigh 1 ÷ its instance count). Choose them so both objectives weigh alike.
 */
export interface CostWeights {
  readonly perInstance: number;
  readonly perTask: number;
}

/**
 * One rollout as the trainer sees it: each choice the policy made among ≥ 2 candidates, and the
 * waiting cost rate as a step function of simulated time (reward = −cost, Decima's "−(time elapsed
 * × jobs in the system)" with our two wait objectives).
 */
export class RolloutTrajectory implements TrajectoryRecorder {
  readonly times: number[] = [];
  /** Shortlist size of each decision. */
  readonly counts: number[] = [];
  readonly chosen: number[] = [];
  readonly task = new FloatBuffer(1 << 16);
  readonly context = new FloatBuffer(1 << 15);
  readonly wait = new FloatBuffer(1 << 12);
  /** Cost rate from segmentStart[i] until segmentStart[i + 1] (0 after the last). */
  readonly segmentStart: number[] = [];
  readonly segmentRate: number[] = [];

  constructor(private readonly cost: CostWeights) {}

  queueChanged(now: number, queuedInstances: number, weightedQueued: number): void {
    const rate = this.cost.perInstance * queuedInstances + this.cost.perTask * weightedQueued;
    const n = this.segmentStart.length;
    if (n > 0 && (this.segmentStart[n - 1] as number) >= now) this.segmentRate[n - 1] = rate;
    else {
      this.segmentStart.push(now);
      this.segmentRate.push(rate);
    }
  }

  decision(now: number, count: number, task: Float64Array, context: Float64Array, waitHours: Float64Array, chosen: number): void {
    this.times.push(now);
    this.counts.push(count);
    this.chosen.push(chosen);
    this.task.push(task, 0, count * N_TASK);
    this.context.push(context, 0, count * N_CONTEXT);
    this.wait.push(waitHours, 0, count);
  }

  get decisions(): number {
    return this.times.length;
  }

  /**
   * Discounted cost-to-go at each segment start: C(t) = ∫_t^∞ e^{−(s−t)/τ} cost(s) ds. Continuous-time
   * discounting with horizon τ seconds keeps a decision's credit to what follows within ~τ.
   */
  costToGo(tau: number): { at: (t: number) => number } {
    const n = this.segmentStart.length;
    const c = new Float64Array(n + 1);
    for (let i = n - 1; i >= 0; i--) {
      const dt = i + 1 < n ? (this.segmentStart[i + 1] as number) - (this.segmentStart[i] as number) : Infinity;
      const decay = Number.isFinite(dt) ? Math.exp(-dt / tau) : 0;
      c[i] = (this.segmentRate[i] as number) * tau * (1 - decay) + decay * (c[i + 1] as number);
    }
    const starts = this.segmentStart;
    return {
      at: (t: number): number => {
        // Last segment starting at or before t.
        let lo = 0;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((starts[mid] as number) <= t) lo = mid + 1;
          else hi = mid;
        }
        const i = lo - 1;
        if (i < 0) return n > 0 ? (c[0] as number) * Math.exp(-((starts[0] as number) - t) / tau) : 0;
        const end = i + 1 < n ? (starts[i + 1] as number) : Infinity;
        const rem = end - t;
        const decay = Number.isFinite(rem) ? Math.exp(-rem / tau) : 0;
        return (this.segmentRate[i] as number) * tau * (1 - decay) + decay * (c[i + 1] as number);
      },
    };
  }
}

/**
 * Advantages of every decision of N rollouts of the SAME input (arrivals, durations, failures):
 * A = −(C_i(t) − b_i(t)) with b_i(t) the mean cost-to-go of the other rollouts at the same simulated
 * time — the input-dependent baseline of Mao et al. (ICLR 2019), as in Decima. Then scaled to unit
 * deviation over the batch. Returns one array per rollout.
 */
export function rolloutAdvantages(rollouts: readonly RolloutTrajectory[], tau: number): Float32Array[] {
  const ctg = rollouts.map((r) => r.costToGo(tau));
  const out = rollouts.map((r, i) => {
    const a = new Float32Array(r.decisions);
    for (let k = 0; k < r.decisions; k++) {
      const t = r.times[k] as number;
      const own = ctg[i]?.at(t) ?? 0;
      let base = 0;
      let n = 0;
      for (let j = 0; j < rollouts.length; j++) {
        if (j === i) continue;
        base += ctg[j]?.at(t) ?? 0;
        n++;
      }
      a[k] = n > 0 ? -(own - base / n) : -own;
    }
    return a;
  });
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (const a of out) for (const v of a) (s += v), (s2 += v * v), n++;
  const mean = n ? s / n : 0;
  const std = n ? Math.sqrt(Math.max(0, s2 / n - mean * mean)) : 0;
  if (std > 0) for (const a of out) for (let k = 0; k < a.length; k++) a[k] = ((a[k] as number) - mean) / std;
  return out;
}

/** Decisions padded to `slots` candidates, ready for one policy-gradient step. Features are raw. */
export interface PolicyGradientBatch {
  readonly decisions: number;
  readonly slots: number;
  /** decisions × slots × N_TASK */
  readonly task: Float32Array;
  /** decisions × slots × N_CONTEXT */
  readonly context: Float32Array;
  /** decisions × slots: hours waited (the aging term) */
  readonly waitHours: Float32Array;
  /** decisions × slots: 1 for a real candidate, 0 for padding */
  readonly mask: Float32Array;
  readonly chosen: Int32Array;
  readonly advantage: Float32Array;
}

export function assembleBatch(rollouts: readonly RolloutTrajectory[], advantages: readonly Float32Array[], slots: number): PolicyGradientBatch {
  const decisions = rollouts.reduce((s, r) => s + r.decisions, 0);
  const task = new Float32Array(decisions * slots * N_TASK);
  const context = new Float32Array(decisions * slots * N_CONTEXT);
  const waitHours = new Float32Array(decisions * slots);
  const mask = new Float32Array(decisions * slots);
  const chosen = new Int32Array(decisions);
  const advantage = new Float32Array(decisions);
  let d = 0;
  rollouts.forEach((r, ri) => {
    const tv = r.task.view();
    const cv = r.context.view();
    const wv = r.wait.view();
    let row = 0;
    for (let k = 0; k < r.decisions; k++, d++) {
      const count = Math.min(slots, r.counts[k] as number);
      for (let s = 0; s < count; s++) {
        task.set(tv.subarray((row + s) * N_TASK, (row + s + 1) * N_TASK), (d * slots + s) * N_TASK);
        context.set(cv.subarray((row + s) * N_CONTEXT, (row + s + 1) * N_CONTEXT), (d * slots + s) * N_CONTEXT);
        waitHours[d * slots + s] = wv[row + s] as number;
        mask[d * slots + s] = 1;
      }
      row += r.counts[k] as number;
      chosen[d] = r.chosen[k] as number;
      advantage[d] = advantages[ri]?.[k] ?? 0;
    }
  });
  return { decisions, slots, task, context, waitHours, mask, chosen, advantage };
}

/** Means and deviations (floored at 0.01) of the candidates' raw features over some rollouts. */
export function featureStatistics(rollouts: readonly RolloutTrajectory[]): FeatureNormalisation {
  const stats = (buffers: Float32Array[], width: number): { mean: number[]; std: number[] } => {
    const s = new Float64Array(width);
    const s2 = new Float64Array(width);
    let n = 0;
    for (const b of buffers) {
      for (let r = 0; r + width <= b.length; r += width) {
        for (let i = 0; i < width; i++) {
          const v = b[r + i] as number;
          s[i] = (s[i] as number) + v;
          s2[i] = (s2[i] as number) + v * v;
        }
        n++;
      }
    }
    const mean = Array.from(s, (v) => (n ? v / n : 0));
    const std = Array.from(s2, (v, i) => Math.max(0.01, n ? Math.sqrt(Math.max(0, v / n - (mean[i] as number) ** 2)) : 1));
    return { mean, std };
  };
  const t = stats(rollouts.map((r) => r.task.view()), N_TASK);
  const c = stats(rollouts.map((r) => r.context.view()), N_CONTEXT);
  return { taskMean: t.mean, taskStd: t.std, contextMean: c.mean, contextStd: c.std };
}
