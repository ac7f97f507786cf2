import { FeatureMatrix, GbdtModel, GbdtModelJson, GbdtParams, trainGbdt } from './gradient-boosting.model';
import { PredictionError } from './prediction.errors';

export interface DurationQuantiles {
  /** Central estimate (seconds). */
  readonly p50: number;
  /** Upper quantile (seconds), ≥ p50. */
  readonly p90: number;
}

export interface DurationPredictorJson {
  readonly kind: 'duration-gbdt';
  readonly version: 1;
  readonly featureNames: readonly string[];
  readonly upperQuantile: number;
  readonly central: GbdtModelJson;
  readonly upper: GbdtModelJson;
}

export interface DurationTrainOptions {
  readonly featureNames: readonly string[];
  readonly central?: Partial<GbdtParams>;
  readonly upper?: Partial<GbdtParams>;
  /** Level of the upper quantile model. */
  readonly upperQuantile?: number;
  /** Row weights of the central ensemble (they must not depend on the target; see trainGbdt). */
  readonly centralWeights?: ArrayLike<number>;
}

/**
 * Two boosted ensembles on log1p(duration): a central one (Huber splits with median leaves by default —
 * the conditional median minimises absolute error, and the model `bench duration` picks on validation) and
 * a quantile one for p90.
 */
export class DurationPredictor {
  private constructor(
    readonly featureNames: readonly string[],
    readonly upperQuantile: number,
    private readonly central: GbdtModel,
    private readonly upper: GbdtModel,
  ) {}

  static train(x: FeatureMatrix, durationsSeconds: ArrayLike<number>, opts: DurationTrainOptions): DurationPredictor {
    if (opts.featureNames.length !== x.cols) {
      throw new PredictionError('INVALID_TRAINING_DATA', `${opts.featureNames.length} feature names for ${x.cols} columns`);
    }
    const y = new Float64Array(durationsSeconds.length);
    for (let i = 0; i < y.length; i++) {
      const d = durationsSeconds[i];
      if (!(d >= 0)) throw new PredictionError('INVALID_TRAINING_DATA', `duration ${i} is negative or not a number (${d})`);
      y[i] = Math.log1p(d);
    }
    const q = opts.upperQuantile ?? 0.9;
    const central = trainGbdt(x, y, { loss: 'huber', alpha: 0.5, ...opts.central }, opts.centralWeights);
    const upper = trainGbdt(x, y, { loss: 'quantile', alpha: q, ...opts.upper });
    return new DurationPredictor(opts.featureNames, q, central, upper);
  }

  /**
   * Assembles a predictor from ensembles already fitted on log1p(duration) (e.g. when a benchmark trains
   * several central candidates and keeps one).
   */
  static fromModels(featureNames: readonly string[], upperQuantile: number, central: GbdtModel, upper: GbdtModel): DurationPredictor {
    if (central.nFeatures !== featureNames.length || upper.nFeatures !== featureNames.length) {
      throw new PredictionError('INVALID_FEATURES', `models expect ${central.nFeatures}/${upper.nFeatures} features, ${featureNames.length} names given`);
    }
    if (!(upperQuantile > 0 && upperQuantile < 1)) throw new PredictionError('INVALID_PARAMS', `upperQuantile must be in (0, 1), got ${upperQuantile}`);
    return new DurationPredictor(featureNames, upperQuantile, central, upper);
  }

  get nFeatures(): number {
    return this.featureNames.length;
  }

  /** Fills `p50`/`p90` for every row; the allocation-free path the analyzer and benchmark use. */
  predictInto(x: FeatureMatrix, p50: Float64Array, p90: Float64Array): void {
    this.central.predictInto(x, p50);
    this.upper.predictInto(x, p90);
    for (let i = 0; i < x.rows; i++) {
      const c = Math.max(0, Math.expm1(p50[i]));
      p50[i] = c;
      p90[i] = Math.max(c, Math.expm1(p90[i]));
    }
  }

  predictBatch(features: ReadonlyArray<ArrayLike<number>>): DurationQuantiles[] {
    const cols = this.nFeatures;
    const values = new Float64Array(features.length * cols);
    for (let i = 0; i < features.length; i++) {
      const r = features[i];
      if (r.length !== cols) throw new PredictionError('INVALID_FEATURES', `row ${i} has ${r.length} features, expected ${cols}`);
      for (let j = 0; j < cols; j++) values[i * cols + j] = r[j];
    }
    const p50 = new Float64Array(features.length);
    const p90 = new Float64Array(features.length);
    this.predictInto({ values, rows: features.length, cols }, p50, p90);
    const out: DurationQuantiles[] = new Array(features.length);
    for (let i = 0; i < features.length; i++) out[i] = { p50: p50[i], p90: p90[i] };
    return out;
  }

  toJSON(): DurationPredictorJson {
    return {
      kind: 'duration-gbdt',
      version: 1,
      featureNames: [...this.featureNames],
      upperQuantile: this.upperQuantile,
      central: this.central.toJSON(),
      upper: this.upper.toJSON(),
    };
  }

  static fromJSON(json: unknown): DurationPredictor {
    if (typeof json !== 'object' || json === null) throw new PredictionError('INVALID_ARTIFACT', 'duration artifact is not an object');
    const o = json as Record<string, unknown>;
    if (o.kind !== 'duration-gbdt' || o.version !== 1) {
      throw new PredictionError('INVALID_ARTIFACT', `duration artifact has kind/version ${String(o.kind)}/${String(o.version)}`);
    }
    const names = o.featureNames;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
      throw new PredictionError('INVALID_ARTIFACT', 'duration artifact field "featureNames" is not a string array');
    }
    const q = o.upperQuantile;
    if (typeof q !== 'number' || !(q > 0 && q < 1)) throw new PredictionError('INVALID_ARTIFACT', 'duration artifact field "upperQuantile" is not in (0, 1)');
    const central = GbdtModel.fromJSON(o.central);
    const upper = GbdtModel.fromJSON(o.upper);
    if (central.nFeatures !== names.length || upper.nFeatures !== names.length) {
      throw new PredictionError('INVALID_ARTIFACT', 'duration artifact models disagree with featureNames on the feature count');
    }
    return new DurationPredictor(names as string[], q, central, upper);
  }

  /** UTF-8 JSON bytes, what the registry stores and checksums. */
  toBytes(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.toJSON()));
  }

  static fromBytes(bytes: Uint8Array): DurationPredictor {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new PredictionError('INVALID_ARTIFACT', `duration artifact is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    return DurationPredictor.fromJSON(parsed);
  }
}
