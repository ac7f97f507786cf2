import type { StreamingDetector } from './anomaly-detector.types';
import { RollingWindow } from './rolling-window';
import { SortedWindow } from './sorted-window';

export interface ContextNoveltyConfig {
  /** Embedding length: how many past points (at each scale) form a context. */
  readonly embed?: number;
  /** Smoothing scales in rows; scale b embeds the b-row rolling mean sampled every b rows. */
  readonly scales?: readonly number[];
  /** Explicit channels (scale, embed) instead of `scales` × `embed`. */
  readonly channels?: readonly { readonly scale: number; readonly embed: number }[];
  /** Most contexts remembered per scale; when full, every other one is dropped (uniform thinning). */
  readonly memory?: number;
  /** Rows of recent novelty the current one is compared with (also acts as the rest period). */
  readonly horizon?: number;
  /** Rows before the first non-zero score. */
  readonly warmup?: number;
  /**
   * Reference novelty the current one is compared with: 'max' = maximum over the last `horizon` rows;
   * a number q = the q-quantile of the last `horizon` rows.
   */
  readonly reference?: 'max' | number;
  /** When set, adds a channel scoring |z| of the value against the last `zWindow` values. */
  readonly zWindow?: number;
  /** After an output ≥ restLevel, later outputs are multiplied by restDamp for a rest period. */
  readonly restLevel?: number;
  readonly restDamp?: number;
  /** Rest period length: max(restRows, restFraction × rows seen so far). */
  readonly restRows?: number;
  readonly restFraction?: number;
  /** Keep resting while the undamped score stays ≥ restLevel (a long disturbance raises one alarm). */
  readonly restExtend?: boolean;
  /** Scores are multiplied by 1 − e^(−row/maturity): less trust while little history exists. */
  readonly maturity?: number;
}

interface Channel {
  readonly scale: number;
  readonly embed: number;
  readonly memory: Float64Array[];
  stride: number;
  counter: number;
  /** Contexts waiting until they no longer overlap the present (avoids trivial self-matches). */
  readonly pending: Float64Array[];
  /** Monotonic deque of (row, novelty) for the rolling maximum over `horizon` rows. */
  readonly dequeRow: number[];
  readonly dequeVal: number[];
  readonly window: SortedWindow | null;
}

/**
 * Context novelty (in the spirit of knnCAD/contextOSE): the last `embed` points, at several
 * smoothing scales, form a context; its novelty is the distance to the nearest remembered past
 * context, in units of the value range seen so far. The score compares that novelty with the largest
 * novelty of the last `horizon` rows, a/(a + maxRecent): 0.5 means "as unusual as the most unusual
 * recent moment", → 1 for a context unlike anything before. Because a detection raises the recent
 * maximum, repeated alarms right after it are suppressed for `horizon` rows without any label or
 * per-series setting.
 */
export function createContextNoveltyDetector(config: ContextNoveltyConfig = {}): StreamingDetector {
  const embed = config.embed ?? 6;
  const scales = config.scales ?? [1, 8];
  const maxMemory = config.memory ?? 1024;
  const horizon = config.horizon ?? 400;
  const warmup = config.warmup ?? 150;
  const reference = config.reference ?? 'max';
  const restLevel = config.restLevel ?? 2;
  const restDamp = config.restDamp ?? 0.5;
  const restRows = config.restRows ?? 0;
  const restFraction = config.restFraction ?? 0;
  let lastAlarm = -Infinity;
  const restExtend = config.restExtend ?? false;
  const maturity = config.maturity ?? 0;
  const zValues = config.zWindow ? new RollingWindow(config.zWindow) : null;
  const zRef = config.zWindow ? new SortedWindow(horizon) : null;
  const zDeque: { rows: number[]; vals: number[] } = { rows: [], vals: [] };
  const specs = config.channels ?? scales.map((scale) => ({ scale, embed }));
  const historyCap = Math.max(...specs.map((c) => c.embed * c.scale + c.scale + 1));
  // Ring of prefix sums: prefix[k mod (cap+1)] = sum of the first k values, so any b-row mean is O(1).
  const prefix = new Float64Array(historyCap + 1);
  let row = 0;
  let cumulative = 0;
  let lo = Infinity;
  let hi = -Infinity;
  const channels: Channel[] = specs.map(({ scale, embed }) => ({
    scale,
    embed,
    memory: [],
    stride: 1,
    counter: 0,
    pending: [],
    dequeRow: [],
    dequeVal: [],
    window: reference === 'max' ? null : new SortedWindow(horizon),
  }));

  const meanOfLast = (endRow: number, b: number): number => {
    // mean of values at rows (endRow − b, endRow]
    const from = Math.max(0, endRow + 1 - b);
    return (cumAt(endRow + 1) - cumAt(from)) / (endRow + 1 - from);
  };
  const cumAt = (k: number): number => prefix[k % (historyCap + 1)];

  const context = (b: number, len: number): Float64Array => {
    const out = new Float64Array(len);
    for (let j = 0; j < len; j++) {
      const end = row - j * b;
      out[j] = end >= 0 ? meanOfLast(end, b) : meanOfLast(0, 1);
    }
    return out;
  };

  return {
    name: 'context',
    score(_timestamp: number, value: number): number {
      cumulative += value;
      prefix[(row + 1) % (historyCap + 1)] = cumulative;
      const range = hi > lo ? hi - lo : Math.abs(value) || 1;
      let best = 0;
      for (const ch of channels) {
        const ctx = context(ch.scale, ch.embed);
        let nearest = Infinity;
        for (const m of ch.memory) {
          let d = 0;
          for (let j = 0; j < ch.embed; j++) {
            const e = ctx[j] - m[j];
            d += e * e;
            if (d >= nearest) break;
          }
          if (d < nearest) nearest = d;
        }
        const novelty = ch.memory.length === 0 ? 0 : Math.sqrt(nearest / ch.embed) / range;
        // Rolling maximum of past novelty (strictly before this row).
        while (ch.dequeRow.length > 0 && ch.dequeRow[0] <= row - horizon) {
          ch.dequeRow.shift();
          ch.dequeVal.shift();
        }
        const recentMax = ch.window ? ch.window.quantile(reference as number) : ch.dequeVal.length > 0 ? ch.dequeVal[0] : 0;
        ch.window?.push(novelty);
        if (row >= warmup) {
          const s = novelty <= 0 ? 0 : recentMax <= 0 ? 1 : novelty / (novelty + recentMax);
          if (s > best) best = s;
        }
        while (ch.dequeVal.length > 0 && ch.dequeVal[ch.dequeVal.length - 1] <= novelty) {
          ch.dequeRow.pop();
          ch.dequeVal.pop();
        }
        ch.dequeRow.push(row);
        ch.dequeVal.push(novelty);
        // Remember this context once it no longer overlaps the present.
        ch.pending.push(ctx);
        if (ch.pending.length > ch.embed * ch.scale) {
          const old = ch.pending.shift() as Float64Array;
          if (ch.counter++ % ch.stride === 0) {
            ch.memory.push(old);
            if (ch.memory.length > maxMemory) {
              let w = 0;
              for (let k = 0; k < ch.memory.length; k += 2) ch.memory[w++] = ch.memory[k];
              ch.memory.length = w;
              ch.stride *= 2;
            }
          }
        }
      }
      if (value < lo) lo = value;
      if (value > hi) hi = value;
      if (zValues && zRef) {
        const sd = zValues.std();
        const z = zValues.size < 10 ? 0 : sd > 0 ? Math.abs(value - zValues.mean()) / sd : value === zValues.mean() ? 0 : 10;
        zValues.push(value);
        while (zDeque.rows.length > 0 && zDeque.rows[0] <= row - horizon) {
          zDeque.rows.shift();
          zDeque.vals.shift();
        }
        const ref = reference === 'max' ? (zDeque.vals.length > 0 ? zDeque.vals[0] : 0) : zRef.quantile(reference);
        if (row >= warmup) {
          const sz = z <= 0 ? 0 : ref <= 0 ? 1 : z / (z + ref);
          if (sz > best) best = sz;
        }
        zRef.push(z);
        while (zDeque.vals.length > 0 && zDeque.vals[zDeque.vals.length - 1] <= z) {
          zDeque.rows.pop();
          zDeque.vals.pop();
        }
        zDeque.rows.push(row);
        zDeque.vals.push(z);
      }
      let out = maturity > 0 ? best * (1 - Math.exp(-row / maturity)) : best;
      if (row - lastAlarm <= Math.max(restRows, restFraction * row)) {
        if (restExtend && out >= restLevel) lastAlarm = row;
        out *= restDamp;
      } else if (out >= restLevel) lastAlarm = row;
      row++;
      return out;
    },
  };
}
