import type * as TfNamespace from '@tensorflow/tfjs';
import { seededRandom } from '../common/random';
import type { FeatureMatrix } from '../prediction/gradient-boosting.model';
import { PredictionError } from '../prediction/prediction.errors';
import { Tf, loadTf } from './tfjs-backend.adapter';

/**
 * A TensorFlow.js network over the GBDT's tabular duration features: standardised inputs (missing values
 * −1 get their own indicator column), two ReLU layers, two heads that predict log1p(duration) at the median
 * and at the upper quantile, trained jointly with the pinball loss. It serves the same `predictInto` as
 * DurationPredictor, so the analyzer can serve whichever validates best; the artifact carries the weights
 * and the backend it was trained on.
 */
export interface MlpTrainOptions {
  readonly hidden: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly upperQuantile: number;
  /** L2 penalty on the dense kernels. */
  readonly l2: number;
  readonly seed: number;
  /** Called after each epoch with the model as it stands (e.g. to score a validation set and pick the epoch count). */
  readonly onEpoch?: (epoch: number, loss: number, model: MlpDurationModel) => void;
}

export const DEFAULT_MLP_OPTIONS: MlpTrainOptions = { hidden: [128, 64], epochs: 12, batchSize: 256, learningRate: 0.002, upperQuantile: 0.9, l2: 1e-5, seed: 1 };

export const DURATION_MLP_FORMAT = 'kairos-duration-mlp/1';

export interface MlpDurationJson {
  readonly kind: 'duration-mlp';
  readonly version: 1;
  readonly featureNames: readonly string[];
  readonly upperQuantile: number;
  /** Feature index → whether −1 (missing) gets an indicator input. */
  readonly missingIndicators: readonly number[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly maxLogDuration: number;
  /** The tfjs backend the network was trained on ('tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'). */
  readonly trainedOn: string;
  readonly modelTopology: unknown;
  readonly weightSpecs: unknown;
  readonly weights: string;
}

const MISSING = -1;

function pinball(tf: Tf, q: number): (yTrue: TfNamespace.Tensor, yPred: TfNamespace.Tensor) => TfNamespace.Tensor {
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const y = yTrue.slice([0, 0], [-1, 1]);
      const e50 = y.sub(yPred.slice([0, 0], [-1, 1]));
      const eq = y.sub(yPred.slice([0, 1], [-1, 1]));
      return tf.maximum(e50.mul(0.5), e50.mul(-0.5)).add(tf.maximum(eq.mul(q), eq.mul(q - 1))).mean();
    });
}

export class MlpDurationModel {
  private constructor(
    private readonly tf: Tf,
    private readonly model: TfNamespace.LayersModel,
    readonly featureNames: readonly string[],
    readonly upperQuantile: number,
    private readonly indicators: readonly number[],
    private readonly mean: Float64Array,
    private readonly std: Float64Array,
    readonly maxLogDuration: number,
    readonly trainedOn: string,
  ) {}

  get nFeatures(): number {
    return this.featureNames.length;
  }

  private get inputWidth(): number {
    return this.nFeatures + this.indicators.length;
  }

  /** Standardised inputs plus missing-value indicators, Float32 for tfjs. Missing values become the mean (0). */
  private encode(values: Float64Array, rows: number): Float32Array {
    const F = this.nFeatures;
    const W = this.inputWidth;
    const out = new Float32Array(rows * W);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < F; j++) {
        const v = values[i * F + j];
        out[i * W + j] = v === MISSING && this.std[j] > 0 ? 0 : (v - this.mean[j]) / this.std[j];
      }
      for (let k = 0; k < this.indicators.length; k++) out[i * W + F + k] = values[i * F + this.indicators[k]] === MISSING ? 1 : 0;
    }
    return out;
  }

  static async train(x: FeatureMatrix, durationsSeconds: ArrayLike<number>, featureNames: readonly string[], options: Partial<MlpTrainOptions> = {}): Promise<MlpDurationModel> {
    const o: MlpTrainOptions = { ...DEFAULT_MLP_OPTIONS, ...options };
    const { rows, cols: F, values } = x;
    if (rows === 0) throw new PredictionError('INVALID_TRAINING_DATA', 'no training rows');
    if (featureNames.length !== F) throw new PredictionError('INVALID_TRAINING_DATA', `${featureNames.length} feature names for ${F} columns`);
    if (durationsSeconds.length !== rows) throw new PredictionError('INVALID_TRAINING_DATA', `${rows} rows but ${durationsSeconds.length} durations`);
    if (!(o.upperQuantile > 0.5 && o.upperQuantile < 1)) throw new PredictionError('INVALID_PARAMS', `upperQuantile must be in (0.5, 1), got ${o.upperQuantile}`);
    if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new PredictionError('INVALID_PARAMS', `epochs must be a positive integer, got ${o.epochs}`);
    // Standardise over the present (non-missing) values; a column that is ever missing gets an indicator.
    const mean = new Float64Array(F);
    const std = new Float64Array(F);
    const present = new Float64Array(F);
    const indicators: number[] = [];
    for (let j = 0; j < F; j++) {
      let s = 0;
      let n = 0;
      for (let i = 0; i < rows; i++) {
        const v = values[i * F + j];
        if (v !== MISSING) {
          s += v;
          n++;
        }
      }
      mean[j] = n > 0 ? s / n : 0;
      present[j] = n;
      if (n < rows) indicators.push(j);
    }
    for (let j = 0; j < F; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) {
        const v = values[i * F + j];
        if (v !== MISSING) s += (v - mean[j]) ** 2;
      }
      std[j] = present[j] > 1 ? Math.sqrt(s / present[j]) || 1 : 1;
    }
    const y = new Float32Array(rows * 2);
    let maxLog = 0;
    for (let i = 0; i < rows; i++) {
      const d = durationsSeconds[i];
      if (!(d >= 0)) throw new PredictionError('INVALID_TRAINING_DATA', `duration ${i} is negative or not a number (${d})`);
      const ld = Math.log1p(d);
      y[2 * i] = ld;
      y[2 * i + 1] = ld;
      maxLog = Math.max(maxLog, ld);
    }
    const tf = loadTf();
    const model = MlpDurationModel.build(tf, F + indicators.length, o);
    model.compile({ optimizer: tf.train.adam(o.learningRate), loss: pinball(tf, o.upperQuantile) });
    const self = new MlpDurationModel(tf, model, [...featureNames], o.upperQuantile, indicators, mean, std, maxLog, tf.getBackend());
    const encoded = self.encode(values, rows);
    // Seeded shuffling per epoch (tfjs' own shuffle uses Math.random): training is reproducible on one backend.
    const random = seededRandom(o.seed);
    const order = Uint32Array.from({ length: rows }, (_, i) => i);
    const W = self.inputWidth;
    const xb = new Float32Array(rows * W);
    const yb = new Float32Array(rows * 2);
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      for (let i = rows - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (let k = 0; k < rows; k++) {
        xb.set(encoded.subarray(order[k] * W, (order[k] + 1) * W), k * W);
        yb[2 * k] = y[2 * order[k]];
        yb[2 * k + 1] = y[2 * order[k] + 1];
      }
      const xs = tf.tensor2d(xb, [rows, W]);
      const ys = tf.tensor2d(yb, [rows, 2]);
      try {
        const h = await model.fit(xs, ys, { epochs: 1, batchSize: o.batchSize, shuffle: false, verbose: 0 });
        o.onEpoch?.(epoch, Number(h.history.loss?.[0] ?? NaN), self);
      } finally {
        xs.dispose();
        ys.dispose();
      }
    }
    return self;
  }

  private static build(tf: Tf, width: number, o: MlpTrainOptions): TfNamespace.LayersModel {
    const model = tf.sequential();
    o.hidden.forEach((units, k) => {
      model.add(
        tf.layers.dense({
          units,
          activation: 'relu',
          ...(k === 0 ? { inputShape: [width] } : {}),
          kernelInitializer: tf.initializers.heNormal({ seed: o.seed + k }),
          kernelRegularizer: o.l2 > 0 ? tf.regularizers.l2({ l2: o.l2 }) : undefined,
        }),
      );
    });
    model.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + 100 }) }));
    return model;
  }

  /** Same contract as DurationPredictor.predictInto: seconds, p90 ≥ p50. Batched on the active backend. */
  predictInto(x: FeatureMatrix, p50: Float64Array, p90: Float64Array): void {
    if (x.cols !== this.nFeatures) throw new PredictionError('INVALID_FEATURES', `expected ${this.nFeatures} features, got ${x.cols}`);
    const tf = this.tf;
    const chunk = 8192;
    const cap = this.maxLogDuration + 1;
    for (let start = 0; start < x.rows; start += chunk) {
      const n = Math.min(chunk, x.rows - start);
      const input = this.encode(x.values.subarray(start * x.cols, (start + n) * x.cols), n);
      const out = tf.tidy(() => this.model.predict(tf.tensor2d(input, [n, this.inputWidth])) as TfNamespace.Tensor);
      const v = out.dataSync();
      out.dispose();
      for (let i = 0; i < n; i++) {
        const c = Math.max(0, Math.expm1(Math.min(cap, v[2 * i])));
        p50[start + i] = c;
        p90[start + i] = Math.max(c, Math.expm1(Math.min(cap, v[2 * i + 1])));
      }
    }
  }

  async toJSON(): Promise<MlpDurationJson> {
    const tf = this.tf;
    let saved: TfNamespace.io.ModelArtifacts | null = null;
    await this.model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
      }),
    );
    const a = saved as TfNamespace.io.ModelArtifacts | null;
    if (!a || !a.weightData || !a.weightSpecs) throw new PredictionError('INVALID_ARTIFACT', 'tfjs did not hand back the model weights');
    const wd = a.weightData;
    const buf = Array.isArray(wd) ? Buffer.concat(wd.map((b) => Buffer.from(b))) : Buffer.from(wd);
    return {
      kind: 'duration-mlp',
      version: 1,
      featureNames: [...this.featureNames],
      upperQuantile: this.upperQuantile,
      missingIndicators: [...this.indicators],
      mean: Array.from(this.mean),
      std: Array.from(this.std),
      maxLogDuration: this.maxLogDuration,
      trainedOn: this.trainedOn,
      modelTopology: a.modelTopology,
      weightSpecs: a.weightSpecs,
      weights: buf.toString('base64'),
    };
  }

  /** UTF-8 JSON bytes (format DURATION_MLP_FORMAT): what the registry stores and checksums. */
  async toBytes(): Promise<Uint8Array> {
    return new TextEncoder().encode(JSON.stringify(await this.toJSON()));
  }

  static async fromBytes(bytes: Uint8Array): Promise<MlpDurationModel> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new PredictionError('INVALID_ARTIFACT', `mlp artifact is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    return MlpDurationModel.fromJSON(parsed);
  }

  static async fromJSON(json: unknown): Promise<MlpDurationModel> {
    const o = (typeof json === 'object' && json !== null ? json : {}) as Partial<MlpDurationJson>;
    if (o.kind !== 'duration-mlp' || o.version !== 1) throw new PredictionError('INVALID_ARTIFACT', `mlp artifact has kind/version ${String(o.kind)}/${String(o.version)}`);
    const names = o.featureNames;
    const nums = (v: unknown): v is number[] => Array.isArray(v) && v.every((e) => typeof e === 'number');
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new PredictionError('INVALID_ARTIFACT', 'mlp artifact field "featureNames" is not a string array');
    if (!nums(o.mean) || !nums(o.std) || o.mean.length !== names.length || o.std.length !== names.length) {
      throw new PredictionError('INVALID_ARTIFACT', 'mlp artifact standardisation does not match featureNames');
    }
    if (!nums(o.missingIndicators) || o.missingIndicators.some((j) => !(j >= 0 && j < names.length))) {
      throw new PredictionError('INVALID_ARTIFACT', 'mlp artifact field "missingIndicators" is not a list of feature indices');
    }
    if (typeof o.weights !== 'string' || !Array.isArray(o.weightSpecs)) throw new PredictionError('INVALID_ARTIFACT', 'mlp artifact lacks its weights');
    const q = o.upperQuantile;
    if (typeof q !== 'number' || !(q > 0 && q < 1)) throw new PredictionError('INVALID_ARTIFACT', 'mlp artifact field "upperQuantile" is not in (0, 1)');
    const tf = loadTf();
    const bytes = Buffer.from(o.weights, 'base64');
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: o.modelTopology as TfNamespace.io.ModelArtifacts['modelTopology'],
        weightSpecs: o.weightSpecs as TfNamespace.io.WeightsManifestEntry[],
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      }),
    );
    return new MlpDurationModel(
      tf,
      model,
      names,
      q,
      o.missingIndicators,
      Float64Array.from(o.mean),
      Float64Array.from(o.std),
      typeof o.maxLogDuration === 'number' && Number.isFinite(o.maxLogDuration) ? o.maxLogDuration : Infinity,
      typeof o.trainedOn === 'string' ? o.trainedOn : 'unknown',
    );
  }

  dispose(): void {
    this.model.dispose();
  }
}
