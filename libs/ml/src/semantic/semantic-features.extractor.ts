import { featureSchemaHash } from '../registry/feature-schema.hash';
import { hashTokens, tokenBucket, type SparseVector } from './hashed-ngram.vectorizer';
import { SemanticFeatureError } from './semantic.errors';
import { fitSparseRidge, predictSparseRidge, type SparseRidgeModel } from './sparse-ridge.regressor';
import { DEFAULT_TOKENIZER_OPTIONS, tokenizeTaskText, type TaskText, type TaskTokens, type TokenizerOptions } from './task-text.tokenizer';

/**
 * Semantic task features (seed 001, "semantic resource prediction"): a task's words turned into a few dense
 * columns that a GBDT over numeric features can use. A GBDT over thousands of sparse hash buckets would be slow
 * and split on one rare bucket at a time, so the words are reduced first, two ways:
 *  - target view: smoothed mean target (log1p duration, or any target) per identifying token, learned from
 *    finished tasks only (`observe`), summarised per task: the program's value, mean/min/max over its tokens,
 *    the most consistent token's value and spread, the share of tokens seen before;
 *  - linear view: a ridge regression over signed hashed word and character-3-gram buckets (2^hashBits), whose
 *    prediction is one column. It shares strength across similar words ("variants"/"variant", "bowtie2-build").
 * Callers fit both on history strictly before (or, in a benchmark, out-of-fold of) the rows they featurise.
 */
export type SemanticView = 'target' | 'linear';

export interface SemanticFeatureConfig {
  readonly version: 1;
  readonly views: readonly SemanticView[];
  /** Buckets of the linear view: 2^hashBits. */
  readonly hashBits: number;
  /** Buckets of the target view's count table: 2^targetBits. */
  readonly targetBits: number;
  /** Pseudo-count m of the smoothed means (sum + m·prior) / (n + m). */
  readonly smoothing: number;
  readonly ridgeLambda: number;
  readonly seed: number;
  readonly tokenizer: TokenizerOptions;
}

export const DEFAULT_SEMANTIC_CONFIG: SemanticFeatureConfig = {
  version: 1,
  views: ['target', 'linear'],
  hashBits: 12,
  targetBits: 16,
  smoothing: 2,
  ridgeLambda: 1,
  seed: 0x4b41,
  tokenizer: DEFAULT_TOKENIZER_OPTIONS,
};

const TARGET_COLUMNS = ['te_program', 'te_program_log_count', 'te_mean', 'te_min', 'te_max', 'te_specific', 'te_specific_std', 'te_known_share', 'log_arg_count'] as const;
const LINEAR_COLUMNS = ['text_linear'] as const;

/** No statistics yet (value never produced by log1p targets). */
const MISSING = -1;

function validate(c: SemanticFeatureConfig): void {
  const bad = (m: string): never => {
    throw new SemanticFeatureError('INVALID_CONFIG', m);
  };
  if (c.version !== 1) bad(`semantic feature config version must be 1, got ${String(c.version)}`);
  if (c.views.length === 0 || c.views.some((v) => v !== 'target' && v !== 'linear')) bad(`views must be a non-empty subset of target, linear; got ${JSON.stringify(c.views)}`);
  if (!Number.isInteger(c.hashBits) || c.hashBits < 4 || c.hashBits > 20) bad(`hashBits must be 4..20, got ${c.hashBits}`);
  if (!Number.isInteger(c.targetBits) || c.targetBits < 4 || c.targetBits > 22) bad(`targetBits must be 4..22, got ${c.targetBits}`);
  if (!(c.smoothing >= 0)) bad(`smoothing must be ≥ 0, got ${c.smoothing}`);
  if (!(c.ridgeLambda > 0)) bad(`ridgeLambda must be > 0, got ${c.ridgeLambda}`);
  if (!Number.isInteger(c.seed)) bad(`seed must be an integer, got ${c.seed}`);
}

/**
 * Column names for `config`. Every setting that changes what a column means is in the prefix, so the registry's
 * feature-schema hash changes with it and a model trained on one configuration is never fed another.
 */
export function semanticFeatureNames(config: SemanticFeatureConfig = DEFAULT_SEMANTIC_CONFIG): string[] {
  validate(config);
  const t = config.tokenizer;
  const prefix = `sem${config.version}[h${config.hashBits},t${config.targetBits},m${config.smoothing},l${config.ridgeLambda},s${config.seed},${t.bigrams ? 'b' : ''}${t.charTrigrams ? 'c' : ''}${t.maxArgs}/${t.maxOutputLines}]`;
  const cols: string[] = [];
  if (config.views.includes('target')) cols.push(...TARGET_COLUMNS);
  if (config.views.includes('linear')) cols.push(...LINEAR_COLUMNS);
  return cols.map((c) => `${prefix}.${c}`);
}

export function semanticSchemaHash(config: SemanticFeatureConfig = DEFAULT_SEMANTIC_CONFIG): string {
  return featureSchemaHash(semanticFeatureNames(config));
}

export interface SemanticExtractorJson {
  readonly kind: 'semantic-features';
  readonly version: 1;
  readonly config: SemanticFeatureConfig;
  readonly prior: { readonly n: number; readonly sum: number; readonly sumSq: number };
  /** Non-empty target-view buckets: parallel arrays. */
  readonly buckets: { readonly index: number[]; readonly n: number[]; readonly sum: number[]; readonly sumSq: number[] };
  readonly linear: { readonly intercept: number; readonly index: number[]; readonly weight: number[] } | null;
}

/**
 * Hashing a task's tokens is most of the cost of featurising it, and the same token list is featurised many
 * times (every fold of an out-of-fold fit, every refit): results are memoised on the (immutable) token object.
 */
const MEMO = new WeakMap<TaskTokens, Map<string, SparseVector | Int32Array>>();

function memoFor(tokens: TaskTokens): Map<string, SparseVector | Int32Array> {
  let m = MEMO.get(tokens);
  if (m === undefined) {
    m = new Map();
    MEMO.set(tokens, m);
  }
  return m;
}

export class SemanticFeatureExtractor {
  readonly config: SemanticFeatureConfig;
  readonly names: readonly string[];
  private readonly n: Float64Array;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private priorN = 0;
  private priorSum = 0;
  private priorSumSq = 0;
  private linear: SparseRidgeModel | null = null;

  constructor(config: Partial<SemanticFeatureConfig> = {}) {
    this.config = { ...DEFAULT_SEMANTIC_CONFIG, ...config, tokenizer: { ...DEFAULT_SEMANTIC_CONFIG.tokenizer, ...config.tokenizer } };
    this.names = semanticFeatureNames(this.config);
    const size = this.config.views.includes('target') ? 1 << this.config.targetBits : 0;
    this.n = new Float64Array(size);
    this.sum = new Float64Array(size);
    this.sumSq = new Float64Array(size);
  }

  get width(): number {
    return this.names.length;
  }

  get schemaHash(): string {
    return featureSchemaHash(this.names);
  }

  tokens(text: TaskText): TaskTokens {
    return tokenizeTaskText(text, this.config.tokenizer);
  }

  /** The signed hashed vector the linear view reads (identifying and sub-word tokens); memoised per token list. */
  hashed(tokens: TaskTokens): SparseVector {
    const key = `h${this.config.hashBits}/${this.config.seed}`;
    const memo = memoFor(tokens);
    let v = memo.get(key) as SparseVector | undefined;
    if (v === undefined) {
      v = hashTokens([...tokens.identifying, ...tokens.subword], this.config.hashBits, this.config.seed);
      memo.set(key, v);
    }
    return v;
  }

  /** A finished task: its tokens and its target (e.g. log1p of its run time in seconds) join the target view. */
  observe(tokens: TaskTokens, target: number): void {
    if (!Number.isFinite(target)) throw new SemanticFeatureError('INVALID_INPUT', `target must be finite, got ${target}`);
    this.priorN++;
    this.priorSum += target;
    this.priorSumSq += target * target;
    if (this.n.length === 0) return;
    for (const b of this.targetBuckets(tokens)) {
      this.n[b]++;
      this.sum[b] += target;
      this.sumSq[b] += target * target;
    }
  }

  /** Fits the linear view on finished tasks (replaces any earlier fit). No-op without the linear view. */
  fitLinear(tokens: readonly TaskTokens[], targets: ArrayLike<number>): void {
    if (!this.config.views.includes('linear')) return;
    this.linear = fitSparseRidge(
      tokens.map((t) => this.hashed(t)),
      targets,
      1 << this.config.hashBits,
      this.config.ridgeLambda,
    );
  }

  /** observe() every example and fitLinear() on all of them. */
  fit(tokens: readonly TaskTokens[], targets: ArrayLike<number>): this {
    if (tokens.length !== targets.length) throw new SemanticFeatureError('INVALID_INPUT', `${tokens.length} token lists but ${targets.length} targets`);
    tokens.forEach((t, i) => this.observe(t, targets[i]));
    this.fitLinear(tokens, targets);
    return this;
  }

  private targetBuckets(tokens: TaskTokens): Int32Array {
    const key = `t${this.config.targetBits}/${this.config.seed}`;
    const memo = memoFor(tokens);
    let v = memo.get(key) as Int32Array | undefined;
    if (v === undefined) {
      const set = new Set<number>();
      for (const t of tokens.identifying) set.add(tokenBucket(t, this.config.targetBits, this.config.seed));
      v = Int32Array.from(set);
      memo.set(key, v);
    }
    return v;
  }

  /** Dense semantic columns for a task (order: `names`). */
  features(tokens: TaskTokens, out: Float64Array = new Float64Array(this.width)): Float64Array {
    if (out.length !== this.width) throw new SemanticFeatureError('INVALID_INPUT', `output has length ${out.length}, expected ${this.width}`);
    let col = 0;
    if (this.config.views.includes('target')) {
      col = this.targetFeatures(tokens, out);
    }
    if (this.config.views.includes('linear')) {
      out[col] = this.linear === null ? MISSING : predictSparseRidge(this.linear, this.hashed(tokens));
    }
    return out;
  }

  private targetFeatures(tokens: TaskTokens, out: Float64Array): number {
    const m = this.config.smoothing;
    const has = this.priorN > 0;
    const prior = has ? this.priorSum / this.priorN : MISSING;
    const priorVar = has ? Math.max(0, this.priorSumSq / this.priorN - prior * prior) : 0;
    const smoothed = (b: number): number => (this.sum[b] + m * prior) / (this.n[b] + m);
    let programValue = prior;
    let programCount = 0;
    if (tokens.program !== null && has) {
      const b = tokenBucket(tokens.program, this.config.targetBits, this.config.seed);
      programCount = this.n[b];
      if (programCount > 0) programValue = smoothed(b);
    }
    let count = 0;
    let known = 0;
    let total = 0;
    let min = Infinity;
    let max = -Infinity;
    let bestVar = Infinity;
    let bestValue = prior;
    for (const b of this.targetBuckets(tokens)) {
      count++;
      if (!has || this.n[b] === 0) continue;
      known++;
      const v = smoothed(b);
      total += v;
      if (v < min) min = v;
      if (v > max) max = v;
      const n = this.n[b];
      if (n >= 2) {
        const mean = this.sum[b] / n;
        // Within-token spread, shrunk toward the global spread with the same pseudo-count.
        const ss = Math.max(0, this.sumSq[b] - n * mean * mean);
        const v2 = (ss + m * priorVar) / (n - 1 + m);
        if (v2 < bestVar) {
          bestVar = v2;
          bestValue = v;
        }
      }
    }
    out[0] = programValue;
    out[1] = Math.log1p(programCount);
    out[2] = known > 0 ? total / known : prior;
    out[3] = known > 0 ? min : prior;
    out[4] = known > 0 ? max : prior;
    out[5] = bestValue;
    out[6] = bestVar < Infinity ? Math.sqrt(bestVar) : has ? Math.sqrt(priorVar) : MISSING;
    out[7] = count > 0 ? known / count : 0;
    out[8] = Math.log1p(tokens.argCount);
    return TARGET_COLUMNS.length;
  }

  toJSON(): SemanticExtractorJson {
    const index: number[] = [];
    const n: number[] = [];
    const sum: number[] = [];
    const sumSq: number[] = [];
    for (let b = 0; b < this.n.length; b++) {
      if (this.n[b] === 0) continue;
      index.push(b);
      n.push(this.n[b]);
      sum.push(this.sum[b]);
      sumSq.push(this.sumSq[b]);
    }
    let linear: SemanticExtractorJson['linear'] = null;
    if (this.linear !== null) {
      const li: number[] = [];
      const lw: number[] = [];
      this.linear.weights.forEach((w, j) => {
        if (w !== 0) {
          li.push(j);
          lw.push(w);
        }
      });
      linear = { intercept: this.linear.intercept, index: li, weight: lw };
    }
    return { kind: 'semantic-features', version: 1, config: this.config, prior: { n: this.priorN, sum: this.priorSum, sumSq: this.priorSumSq }, buckets: { index, n, sum, sumSq }, linear };
  }

  static fromJSON(json: SemanticExtractorJson): SemanticFeatureExtractor {
    if (json.kind !== 'semantic-features' || json.version !== 1) {
      throw new SemanticFeatureError('INVALID_ARTIFACT', `semantic extractor artifact has kind/version ${String(json.kind)}/${String(json.version)}`);
    }
    const e = new SemanticFeatureExtractor(json.config);
    const { index, n, sum, sumSq } = json.buckets;
    if ([n, sum, sumSq].some((a) => a.length !== index.length)) throw new SemanticFeatureError('INVALID_ARTIFACT', 'semantic extractor bucket arrays differ in length');
    index.forEach((b, k) => {
      if (!(b >= 0 && b < e.n.length)) throw new SemanticFeatureError('INVALID_ARTIFACT', `bucket ${b} outside 2^${e.config.targetBits}`);
      e.n[b] = n[k];
      e.sum[b] = sum[k];
      e.sumSq[b] = sumSq[k];
    });
    e.priorN = json.prior.n;
    e.priorSum = json.prior.sum;
    e.priorSumSq = json.prior.sumSq;
    if (json.linear !== null) {
      const weights = new Float64Array(1 << e.config.hashBits);
      json.linear.index.forEach((j, k) => {
        if (!(j >= 0 && j < weights.length)) throw new SemanticFeatureError('INVALID_ARTIFACT', `linear weight ${j} outside 2^${e.config.hashBits}`);
        weights[j] = json.linear?.weight[k] ?? 0;
      });
      e.linear = { intercept: json.linear.intercept, weights };
    }
    return e;
  }
}

/**
 * Semantic columns for every row, each computed by an extractor fitted on the rows of the other groups only
 * (out-of-fold by group, e.g. by workflow instance or by day), so a model trained on them sees the same kind of
 * value it will see for unseen work. Rows × width, row-major.
 */
export function outOfFoldSemanticFeatures(
  tokens: readonly TaskTokens[],
  targets: ArrayLike<number>,
  groups: readonly string[],
  config: Partial<SemanticFeatureConfig> = {},
): Float64Array {
  if (tokens.length !== targets.length || tokens.length !== groups.length) {
    throw new SemanticFeatureError('INVALID_INPUT', `${tokens.length} token lists, ${targets.length} targets, ${groups.length} groups`);
  }
  const width = semanticFeatureNames({ ...DEFAULT_SEMANTIC_CONFIG, ...config, tokenizer: { ...DEFAULT_SEMANTIC_CONFIG.tokenizer, ...config.tokenizer } }).length;
  const out = new Float64Array(tokens.length * width);
  for (const g of new Set(groups)) {
    const fitIdx: number[] = [];
    const applyIdx: number[] = [];
    groups.forEach((x, i) => (x === g ? applyIdx : fitIdx).push(i));
    const e = new SemanticFeatureExtractor(config).fit(
      fitIdx.map((i) => tokens[i]),
      fitIdx.map((i) => targets[i]),
    );
    for (const i of applyIdx) e.features(tokens[i], out.subarray(i * width, (i + 1) * width));
  }
  return out;
}
