import type { StreamInfo, StreamingDetector } from './anomaly-detector.types';
import { AnomalyDetectorError } from './anomaly.errors';
import { DualVigilanceArt } from './dual-vigilance-art';

export interface ArtimeConfig {
  /**
   * Value range used to normalise values (a metric's known domain, e.g. 0–100 % CPU). NAB's harness
   * passes every detector the whole file's min and max (`StreamInfo`, lookahead); without a range the
   * range of the probationary period is used, widened on each side by `rangePadding` × its span, and
   * later values outside the range are handled by `outOfRange`.
   */
  readonly minValue?: number;
  readonly maxValue?: number;
  /** Share of the probationary range added on each side when no range is given (1). */
  readonly rangePadding?: number;
  /**
   * What happens to a value outside the range: `'clamp'` (the original ARTime) clamps it to the range;
   * `'widen'` widens the range to take it in (plus `widenMargin` × the new span beyond it) and remaps
   * the learned categories, the recent values and the median tracker to the wider range, so that what
   * was learned keeps covering the same raw values (default `'widen'`). With the whole file's range
   * given (NAB's harness) no value lies outside it and the two are identical.
   */
  readonly outOfRange?: 'clamp' | 'widen';
  /** With `outOfRange: 'widen'`, extra room added beyond a new extreme, as a share of the new span, in [0, 0.5] (0). */
  readonly widenMargin?: number;
  /**
   * Rows of a warm-up: while the probationary period is being learned, a second ARTime with this
   * short probationary period scores the stream, its scores multiplied by `warmupWeight`; it is dropped
   * when the main detector starts. 0 = off: the probationary period scores 0. Default: a fifth of the
   * probationary period when that is at least 4 × `window` rows (150 of 750), else 0.
   */
  readonly warmupPeriod?: number;
  /** Weight of the warm-up detector's scores, in [0, 1] (0.5). */
  readonly warmupWeight?: number;
  /** Rows of the probationary period. Default: `StreamInfo.probationaryPeriod`, else 750 (NAB's cap). */
  readonly probationaryPeriod?: number;
  /** Downsampled values per feature window; a power of two (8). */
  readonly window?: number;
  /** Feature windows per probationary period; sets the downsampling step (13). */
  readonly windowsPerProbation?: number;
  /** Quantisation levels of a normalised value (80). */
  readonly levels?: number;
  /** A level this close to the running median level snaps to it (0.075). */
  readonly medianSnap?: number;
  /** Vigilance used to estimate the initial vigilance from the probationary period (0.8). */
  readonly initialVigilance?: number;
  /**
   * Most ART categories kept; beyond it the least recently used one is forgotten (2048). Bounds memory
   * and time per row on an endless stream; the NAB corpus never needs more than 831.
   */
  readonly maxCategories?: number;
}

/**
 * ARTime (Mark Hampton, 2021; 74.9 standard on NAB's scoreboard, the best published score) written
 * for this project from its published description and open-source edition (ARTimeNAB.jl).
 *
 * 1. Downsample by `step` rows (so that the probationary period holds `windowsPerProbation` feature
 *    windows): each step keeps the window's maximum or minimum, whichever lies further from a moving
 *    average, unless it is within 10 % of the window's mean.
 * 2. Normalise to [0, 1], quantise to `levels` levels and snap values near the running median level
 *    to it (removes small wobble around the usual value).
 * 3. Features: the last `window` values and the Haar wavelet transform of their min-max-scaled copy.
 * 4. A dual-vigilance fuzzy ART clusters the feature vectors; an input that starts a new cluster is an
 *    anomaly candidate. The probationary period is clustered in one batch at its end, with an initial
 *    vigilance estimated from how well its windows match each other.
 * 5. Vigilance adapts: the upper one follows the mean match, the lower one rises towards the
 *    weakest recent match and falls by the recent shortfall below the upper one; new-cluster events
 *    are masked for a while after an alert or a vigilance change unless markedly less similar than
 *    the last alert.
 * 6. An alert's score grows with how far the match fell below both vigilance levels and how poorly
 *    the newest value was matched (at most 1); every other row scores 0.
 *
 * Ours adds, for streams whose range is not known in advance (the analyzer's causal path): the range is
 * learned online — the probationary range, padded, widened whenever a value falls outside it, with the
 * learned categories remapped exactly (`outOfRange: 'widen'`) — and a short warm-up detector scores
 * the probationary period (`warmupPeriod`). Memory is bounded (`maxCategories`); each row costs
 * O(categories) at most.
 *
 * Scores are emitted only on the rows that complete a downsampling step.
 */
const ARTIME_OPTIONS: ReadonlySet<string> = new Set<keyof ArtimeConfig | 'kind'>([
  'kind',
  'minValue',
  'maxValue',
  'rangePadding',
  'outOfRange',
  'widenMargin',
  'warmupPeriod',
  'warmupWeight',
  'probationaryPeriod',
  'window',
  'windowsPerProbation',
  'levels',
  'medianSnap',
  'initialVigilance',
  'maxCategories',
]);

export function createArtimeDetector(config: ArtimeConfig = {}, info: StreamInfo = {}): StreamingDetector {
  // Options often come from JSON (bench flags, configuration): a misspelt one must not pass silently.
  for (const key of Object.keys(config)) {
    if (!ARTIME_OPTIONS.has(key)) throw new AnomalyDetectorError('INVALID_CONFIG', `artime: unknown option "${key}"`);
  }
  const window = config.window ?? 8;
  if (!Number.isInteger(window) || window < 2 || (window & (window - 1)) !== 0) {
    throw new AnomalyDetectorError('INVALID_CONFIG', `artime: window must be a power of two ≥ 2, got ${window}`);
  }
  const levels = checked('levels', config.levels ?? 80, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  const medianSnap = checked('medianSnap', config.medianSnap ?? 0.075, (v) => v >= 0 && v <= 1, 'in [0, 1]');
  const padding = checked('rangePadding', config.rangePadding ?? 1, (v) => v >= 0, '≥ 0');
  const perProbation = checked('windowsPerProbation', config.windowsPerProbation ?? 13, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  const initialVigilance = checked('initialVigilance', config.initialVigilance ?? 0.8, (v) => v > 0 && v <= 1, 'in (0, 1]');
  const outOfRange = config.outOfRange ?? 'widen';
  if (outOfRange !== 'clamp' && outOfRange !== 'widen') {
    throw new AnomalyDetectorError('INVALID_CONFIG', `artime: outOfRange must be 'clamp' or 'widen', got ${JSON.stringify(outOfRange)}`);
  }
  const widenMargin = checked('widenMargin', config.widenMargin ?? 0, (v) => v >= 0 && v <= 0.5, 'in [0, 0.5]');
  const maxCategories = checked('maxCategories', config.maxCategories ?? 2048, (v) => v >= 2, '≥ 2');
  const rawProbation = checked('probationaryPeriod', config.probationaryPeriod ?? info.probationaryPeriod ?? 750, Number.isInteger, 'an integer');
  const probation = rawProbation - (rawProbation % 2);
  const step = Math.max(1, Math.floor(probation / (window * perProbation)));
  const trendWindow = Math.floor(probation / step);
  if (trendWindow < 2 * window) {
    throw new AnomalyDetectorError('INVALID_CONFIG', `artime: probationary period of ${rawProbation} rows is too short (needs ≥ ${2 * window * step})`);
  }
  const defaultWarmup = Math.floor(rawProbation / 5) >= 4 * window ? Math.floor(rawProbation / 5) : 0;
  const warmupPeriod = checked('warmupPeriod', config.warmupPeriod ?? defaultWarmup, (v) => Number.isInteger(v) && (v === 0 || (v >= 4 * window && v < rawProbation)), `0 or an integer in [${4 * window}, probationaryPeriod)`);
  const warmupWeight = checked('warmupWeight', config.warmupWeight ?? 0.5, (v) => v >= 0 && v <= 1, 'in [0, 1]');
  let warmup: StreamingDetector | undefined =
    warmupPeriod > 0 ? createArtimeDetector({ ...config, probationaryPeriod: warmupPeriod, warmupPeriod: 0 }, { inputMin: info.inputMin, inputMax: info.inputMax }) : undefined;
  const maskRows = Math.trunc(window * 1.5);
  const fixedMin = config.minValue ?? info.inputMin;
  const fixedMax = config.maxValue ?? info.inputMax;
  for (const [field, v] of [['minValue', fixedMin], ['maxValue', fixedMax]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw new AnomalyDetectorError('INVALID_CONFIG', `artime: ${field} must be a finite number, got ${JSON.stringify(v)}`);
    }
  }
  if (fixedMin !== undefined && fixedMax !== undefined && fixedMin > fixedMax) {
    throw new AnomalyDetectorError('INVALID_CONFIG', `artime: minValue (${fixedMin}) must not exceed maxValue (${fixedMax})`);
  }

  const downsampler = new Downsampler(step);
  const pending: number[] = []; // downsampled values of the probationary period, before normalisation
  let seenMin = Number.POSITIVE_INFINITY;
  let seenMax = Number.NEGATIVE_INFINITY;
  let featurizer: ArtimeFeaturizer | undefined;
  let detector: VigilanceController | undefined;
  let dsi = 0; // downsampled values so far

  function startDetection(): void {
    let min = fixedMin;
    let max = fixedMax;
    if (min === undefined || max === undefined) {
      // A flat probationary period: its magnitude stands for the span, padded by at least half of it.
      const flat = seenMax === seenMin;
      const span = flat ? Math.max(Math.abs(seenMax), 1) : seenMax - seenMin;
      const pad = (flat ? Math.max(padding, 0.5) : padding) * span;
      min = seenMin - pad;
      max = seenMax + pad;
    }
    featurizer = new ArtimeFeaturizer(window, levels, medianSnap, min, max);
    const features = pending.map((v) => featurizer!.next(v));
    detector = new VigilanceController(window, trendWindow, maskRows, features, initialVigilance, maxCategories);
  }

  function widenTo(value: number): void {
    const { min, max } = featurizer!.range;
    if (value >= min && value <= max) return;
    const lo = Math.min(min, value);
    const hi = Math.max(max, value);
    const extra = (widenMargin * (hi - lo)) / (1 - widenMargin);
    const { a, b } = featurizer!.widen(value < min ? lo - extra : lo, value > max ? hi + extra : hi);
    detector!.rescaleValues(a, b);
  }

  return {
    name: 'artime',
    score(timestamp: number, value: number): number {
      const early = warmup === undefined ? 0 : warmup.score(timestamp, value) * warmupWeight;
      if (value < seenMin) seenMin = value;
      if (value > seenMax) seenMax = value;
      const ds = downsampler.next(value);
      if (ds === undefined) return early;
      dsi += 1;
      if (dsi <= trendWindow) {
        pending.push(ds);
        if (dsi === trendWindow) {
          startDetection();
          warmup = undefined;
        }
        return early;
      }
      if (outOfRange === 'widen') widenTo(ds);
      return detector!.detect(featurizer!.next(ds));
    },
  };
}

function checked(field: keyof ArtimeConfig, value: number, ok: (v: number) => boolean, expected: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new AnomalyDetectorError('INVALID_CONFIG', `artime: ${field} must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Step 1: one value per `step` rows, keeping spikes. */
class Downsampler {
  private readonly buffer: number[] = [];
  private movingAverage = Number.NaN;

  constructor(private readonly step: number) {}

  next(value: number): number | undefined {
    this.buffer.push(value);
    if (this.buffer.length < this.step) return undefined;
    let sum = 0;
    let max = Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    for (const v of this.buffer) {
      sum += v;
      if (v > max) max = v;
      if (v < min) min = v;
    }
    this.buffer.length = 0;
    const mean = sum / this.step;
    this.movingAverage = Number.isNaN(this.movingAverage) ? mean : (this.movingAverage + mean) / 2;
    let ds = Math.abs(max - this.movingAverage) < Math.abs(min - this.movingAverage) ? min : max;
    if (Math.abs(ds - mean) < 0.1 * mean) ds = mean; // a spike must stand out by at least 10 %
    return ds;
  }
}

/** Steps 2 and 3: normalise, quantise, snap to the running median, build the feature vector. */
export class ArtimeFeaturizer {
  private readonly histogram: number[];
  private medianLevel = 0;
  private below = 0;
  private above = 0;
  private count = 0;
  private readonly recent: number[];

  constructor(
    private readonly window: number,
    private readonly levels: number,
    private readonly snap: number,
    private min: number,
    private max: number,
  ) {
    this.histogram = new Array<number>(levels + 1).fill(0);
    this.recent = new Array<number>(window).fill(0);
  }

  next(raw: number): Float64Array {
    this.count += 1;
    let x = raw - this.min;
    if (this.max - this.min !== 0) x /= this.max - this.min;
    const level = Math.min(this.levels, Math.max(0, roundHalfEven(x * this.levels)));
    let value = level / this.levels;
    const median = this.trackMedian(level) / this.levels;
    if (Math.abs(value - median) < this.snap) value = median;

    this.recent.shift();
    this.recent.push(value);
    const features = new Float64Array(2 * this.window);
    if (this.count >= this.window) {
      const wavelet = haarTransform(minMaxScale(Float64Array.from(this.recent)));
      features.set(minMaxScale(wavelet), 0);
      features.set(this.recent, this.window);
    }
    return features;
  }

  get range(): { min: number; max: number } {
    return { min: this.min, max: this.max };
  }

  /**
   * Moves to a wider value range [min, max]: normalised values x become a·x + b. The recent values are
   * mapped, the level histogram is re-binned, and the median tracker restarts from the mapped median.
   * Returns (a, b) so the caller can remap what else holds normalised values (the ART categories).
   */
  widen(min: number, max: number): { a: number; b: number } {
    // A degenerate old range (min = max) normalised every value to 0: a = 0 maps them all to b.
    const a = (this.max - this.min) / (max - min);
    const b = (this.min - min) / (max - min);
    const map = (x: number): number => Math.min(1, Math.max(0, a * x + b));
    for (let k = 0; k < this.recent.length; k++) this.recent[k] = map(this.recent[k]);
    const old = this.histogram.slice();
    this.histogram.fill(0);
    for (let l = 0; l <= this.levels; l++) {
      if (old[l] > 0) this.histogram[roundHalfEven(map(l / this.levels) * this.levels)] += old[l];
    }
    this.medianLevel = roundHalfEven(map(this.medianLevel / this.levels) * this.levels);
    this.below = 0;
    this.above = 0;
    for (let l = 0; l <= this.levels; l++) {
      if (l < this.medianLevel) this.below += this.histogram[l];
      else if (l > this.medianLevel) this.above += this.histogram[l];
    }
    this.min = min;
    this.max = max;
    return { a, b };
  }

  /** An approximate running median of the levels seen (moves at most one occupied level per value). */
  private trackMedian(level: number): number {
    const h = this.histogram;
    h[level] += 1;
    if (this.count === 1) this.medianLevel = level;
    if (level < this.medianLevel) this.below += 1;
    else if (level > this.medianLevel) this.above += 1;
    const half = Math.floor(this.count / 2);
    if (half < this.above) {
      this.below += h[this.medianLevel];
      do this.medianLevel += 1;
      while (h[this.medianLevel] === 0 && this.medianLevel < this.levels);
      this.above -= h[this.medianLevel];
    } else if (half < this.below) {
      this.above += h[this.medianLevel];
      do this.medianLevel -= 1;
      while (h[this.medianLevel] === 0 && this.medianLevel > 0);
      this.below -= h[this.medianLevel];
    }
    return this.medianLevel;
  }
}

/** Steps 4 to 6: clustering, masking and vigilance adaptation. */
class VigilanceController {
  private readonly art: DualVigilanceArt;
  private i = 0; // feature vectors presented (1-based after increment)
  private lastAlert = 0;
  private lastAlertMatch = 0;
  private lastVigilanceUpdate = 0;
  private maskAfterNewCluster = false;
  private sinceNewCluster = 0;
  private matchSum = 0;
  private readonly alertMatches: number[] = [];
  private readonly recentMatches: number[];
  private readonly recentShortfalls: number[];

  constructor(
    private readonly window: number,
    private readonly trendWindow: number,
    private readonly maskRows: number,
    probation: readonly Float64Array[],
    initialVigilance: number,
    maxCategories: number,
  ) {
    const dim = 2 * window;
    this.recentMatches = new Array<number>(Math.floor(trendWindow / 2) + 1).fill(1);
    this.recentShortfalls = new Array<number>(trendWindow + 1).fill(0);
    const rho = estimateVigilance(probation.slice(window - 1), dim, initialVigilance, Math.floor(trendWindow / 2));
    this.art = new DualVigilanceArt(dim, { lower: rho, upper: rho }, maxCategories);
    for (const f of probation) this.detect(f);
  }

  /** The value half of the feature vector was remapped by x ↦ a·x + b (a wider range). */
  rescaleValues(a: number, b: number): void {
    this.art.rescale(this.window, 2 * this.window, a, b);
  }

  detect(features: Float64Array): number {
    const i = ++this.i;
    const { art, maskRows, trendWindow } = this;
    const sinceAlert = i - this.lastAlert;
    const updateAfterAlert = sinceAlert === maskRows;
    const updateForTrend = i - this.lastVigilanceUpdate >= Math.floor(trendWindow / 2);
    const maskAfterAlert = sinceAlert <= maskRows;
    if (i > trendWindow + maskRows && this.maskAfterNewCluster && this.sinceNewCluster >= maskRows) {
      this.maskAfterNewCluster = false;
    }
    // Rows before the first full feature window are presented without learning.
    const stepResult = art.present(features, i >= this.window);
    const newCluster = i < this.window || stepResult.cluster === -1;
    const { match, energy } = stepResult;
    this.sinceNewCluster = newCluster ? 0 : this.sinceNewCluster + 1;
    this.matchSum += match;
    shiftIn(this.recentMatches, match);
    shiftIn(this.recentShortfalls, art.upperVigilance - match);
    const history = this.alertMatches;
    if (sinceAlert < maskRows && history.length > 0 && match < history[history.length - 1]) {
      history[history.length - 1] = match;
    }
    const masked = this.maskAfterNewCluster || maskAfterAlert;
    const muchLessSimilar = match < this.lastAlertMatch * (maskAfterAlert ? 0.9 : 0.7);
    let score = 0;
    if (i > trendWindow && newCluster && (!masked || muchLessSimilar)) {
      score = this.confidence(match, energy);
      history.push(match);
      this.lastAlertMatch = match;
      this.lastAlert = i;
    }
    this.maskAfterNewCluster ||= newCluster;
    if (i > trendWindow && (updateAfterAlert || updateForTrend)) {
      this.adaptVigilance(i);
      this.lastVigilanceUpdate = i;
      this.maskAfterNewCluster = true;
    }
    return score;
  }

  private adaptVigilance(i: number): void {
    const { art } = this;
    const upper = Math.min(0.97, this.matchSum / this.i);
    const weakest = Math.min(...this.recentMatches);
    const previous = art.lowerVigilance;
    let lower: number;
    if (previous <= weakest) {
      lower = previous + (weakest - previous) * 0.19;
    } else {
      let decrease = 0;
      if (i > this.trendWindow * 2) {
        const shortfalls = this.recentShortfalls.filter((s) => s > 0.05).map((s) => Math.min(0.37, s));
        if (shortfalls.length > 0) decrease = mean(shortfalls);
      }
      lower = previous - Math.max(0.01, decrease) / 2;
      if (this.alertMatches.length > 0) lower = Math.max(mean(this.alertMatches), lower);
    }
    art.lowerVigilance = Math.min(upper, lower);
    art.upperVigilance = upper;
  }

  private confidence(match: number, energy: number): number {
    const m = Math.min(0.999, match);
    const belowUpper = (1 - m - (1 - this.art.upperVigilance)) / (1 - m);
    const belowLower = (1 - m - (1 - this.art.lowerVigilance)) / (1 - m);
    const s = Math.min(1, belowUpper * 0.35 + belowLower * 0.65 + (1 - energy) * 1.5);
    return Math.round(s * 1e6) / 1e6;
  }
}

/**
 * The initial vigilance: cluster the probationary windows, least typical first (by summed cosine
 * similarity to the others), with vigilance `start`, and take the mean match from `from` on.
 */
function estimateVigilance(windows: readonly Float64Array[], dim: number, start: number, from: number): number {
  const n = windows.length;
  const typicality = new Float64Array(n).fill(1); // self-similarity counts 1
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < a; b++) {
      const s = cosineLike(windows[a], windows[b]);
      typicality[a] += s;
      typicality[b] += s;
    }
  }
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => typicality[a] - typicality[b] || a - b);
  const art = new DualVigilanceArt(dim, { lower: start, upper: start });
  const matches = order.map((k) => art.present(windows[k]).match);
  return mean(matches.slice(from - 1));
}

/** Cosine similarity; against a zero vector, 1 − the other vector's norm. */
function cosineLike(a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k++) {
    dot += a[k] * b[k];
    na += a[k] * a[k];
    nb += b[k] * b[k];
  }
  na = Math.sqrt(na);
  nb = Math.sqrt(nb);
  if (na === 0) return 1 - nb;
  if (nb === 0) return 1 - na;
  return dot / (na * nb);
}

/**
 * Full-depth orthonormal Haar transform of a power-of-two-length vector, laid out coarsest first:
 * [scaling, level-L detail, level-(L−1) details, …, level-1 details]; detail = (second − first) / √2.
 */
export function haarTransform(x: Float64Array): Float64Array {
  const out = Float64Array.from(x);
  const tmp = new Float64Array(x.length);
  for (let n = x.length; n > 1; n >>= 1) {
    const half = n >> 1;
    for (let k = 0; k < half; k++) {
      const a = out[2 * k];
      const b = out[2 * k + 1];
      tmp[k] = (a + b) / Math.SQRT2;
      tmp[half + k] = (b - a) / Math.SQRT2;
    }
    out.set(tmp.subarray(0, n), 0);
  }
  return out;
}

function minMaxScale(x: Float64Array): Float64Array {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  return x.map((v) => (span !== 0 ? (v - min) / span : v - min));
}

/** Rounds to the nearest integer, ties to even (Julia's and IEEE's default). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function shiftIn(buffer: number[], value: number): void {
  buffer.shift();
  buffer.push(value);
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
