import type * as TfNamespace from '@tensorflow/tfjs';
import { PredictionError } from '../prediction/prediction.errors';
import { DurationQuantiles } from '../prediction/duration.predictor';
import { Tf, loadTf } from './tfjs-backend.adapter';

/**
 * LSTM duration model (seed 000): an LSTM reads the recent history of similar tasks (same job, then
 * same request signature), its last state is joined with the standardised tabular features, and two
 * heads predict log1p(duration) at the median and at the upper quantile (pinball loss).
 */
export interface LstmTrainOptions {
  readonly historyLength: number;
  readonly stepFeatures: number;
  readonly units: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly upperQuantile: number;
  readonly seed: number;
  readonly onEpoch?: (epoch: number, loss: number) => void;
}

export const DEFAULT_LSTM_OPTIONS: Omit<LstmTrainOptions, 'historyLength' | 'stepFeatures'> = {
  units: 32,
  epochs: 4,
  batchSize: 128,
  learningRate: 0.005,
  upperQuantile: 0.9,
  seed: 7,
};

export interface LstmDurationJson {
  readonly kind: 'duration-lstm';
  readonly version: 1;
  readonly historyLength: number;
  readonly stepFeatures: number;
  readonly nFeatures: number;
  readonly upperQuantile: number;
  readonly mean: number[];
  readonly std: number[];
  /** Largest log1p(duration) seen in training; outputs are clamped to it (+1) so a wild input cannot explode expm1. */
  readonly maxLogDuration: number;
  readonly modelTopology: unknown;
  readonly weightSpecs: unknown;
  /** Weights as base64. */
  readonly weights: string;
}

function pinball(tf: Tf, q: number): (yTrue: TfNamespace.Tensor, yPred: TfNamespace.Tensor) => TfNamespace.Tensor {
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const y = yTrue.slice([0, 0], [-1, 1]);
      const e50 = y.sub(yPred.slice([0, 0], [-1, 1]));
      const eq = y.sub(yPred.slice([0, 1], [-1, 1]));
      const l50 = tf.maximum(e50.mul(0.5), e50.mul(-0.5));
      const lq = tf.maximum(eq.mul(q), eq.mul(q - 1));
      return l50.add(lq).mean();
    });
}

export class LstmDurationModel {
  private constructor(
    private readonly tf: Tf,
    private readonly model: TfNamespace.LayersModel,
    readonly historyLength: number,
    readonly stepFeatures: number,
    readonly nFeatures: number,
    readonly upperQuantile: number,
    private readonly mean: Float64Array,
    private readonly std: Float64Array,
    readonly maxLogDuration: number,
  ) {}

  private static build(tf: Tf, L: number, S: number, F: number, units: number, seed: number): TfNamespace.LayersModel {
    const seq = tf.input({ shape: [L, S], name: 'history' });
    const stat = tf.input({ shape: [F], name: 'features' });
    const h = tf.layers
      .lstm({ units, kernelInitializer: tf.initializers.glorotUniform({ seed }), recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }) })
      .apply(seq) as TfNamespace.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([h, stat]) as TfNamespace.SymbolicTensor;
    const d1 = tf.layers
      .dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) })
      .apply(joined) as TfNamespace.SymbolicTensor;
    const d2 = tf.layers
      .dense({ units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) })
      .apply(d1) as TfNamespace.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }) }).apply(d2) as TfNamespace.SymbolicTensor;
    return tf.model({ inputs: [seq, stat], outputs: out });
  }

  private standardise(features: Float64Array, rows: number): Float32Array {
    const F = this.nFeatures;
    const out = new Float32Array(rows * F);
    for (let i = 0; i < rows; i++) for (let j = 0; j < F; j++) out[i * F + j] = (features[i * F + j] - this.mean[j]) / this.std[j];
    return out;
  }

  /**
   * `sequences`: rows × historyLength × stepFeatures; `features`: rows × nFeatures (row-major);
   * `durations` in seconds.
   */
  static async train(
    sequences: Float32Array,
    features: Float64Array,
    durations: ArrayLike<number>,
    opts: Partial<LstmTrainOptions> & Pick<LstmTrainOptions, 'historyLength' | 'stepFeatures'>,
  ): Promise<LstmDurationModel> {
    const o: LstmTrainOptions = { ...DEFAULT_LSTM_OPTIONS, ...opts };
    const rows = durations.length;
    if (rows === 0) throw new PredictionError('INVALID_TRAINING_DATA', 'no training rows');
    if (sequences.length !== rows * o.historyLength * o.stepFeatures) {
      throw new PredictionError('INVALID_TRAINING_DATA', `sequences hold ${sequences.length} values, expected ${rows * o.historyLength * o.stepFeatures}`);
    }
    if (features.length % rows !== 0) throw new PredictionError('INVALID_TRAINING_DATA', 'feature matrix size is not a multiple of the row count');
    const F = features.length / rows;
    const mean = new Float64Array(F);
    const std = new Float64Array(F);
    for (let i = 0; i < rows; i++) for (let j = 0; j < F; j++) mean[j] += features[i * F + j] / rows;
    for (let i = 0; i < rows; i++) for (let j = 0; j < F; j++) std[j] += (features[i * F + j] - mean[j]) ** 2 / rows;
    for (let j = 0; j < F; j++) std[j] = Math.sqrt(std[j]) || 1;
    const tf = loadTf();
    const model = LstmDurationModel.build(tf, o.historyLength, o.stepFeatures, F, o.units, o.seed);
    model.compile({ optimizer: tf.train.adam(o.learningRate), loss: pinball(tf, o.upperQuantile) });
    let maxLog = 0;
    for (let i = 0; i < rows; i++) maxLog = Math.max(maxLog, Math.log1p(Math.max(0, durations[i])));
    const self = new LstmDurationModel(tf, model, o.historyLength, o.stepFeatures, F, o.upperQuantile, mean, std, maxLog);
    const y = new Float32Array(rows * 2);
    for (let i = 0; i < rows; i++) {
      const ld = Math.log1p(Math.max(0, durations[i]));
      y[2 * i] = ld;
      y[2 * i + 1] = ld;
    }
    const xs = tf.tensor3d(sequences, [rows, o.historyLength, o.stepFeatures]);
    const xf = tf.tensor2d(self.standardise(features, rows), [rows, F]);
    const ys = tf.tensor2d(y, [rows, 2]);
    try {
      await model.fit([xs, xf], ys, {
        epochs: o.epochs,
        batchSize: o.batchSize,
        shuffle: true,
        verbose: 0,
        callbacks: { onEpochEnd: async (epoch, logs) => o.onEpoch?.(epoch, logs?.loss ?? NaN) },
      });
    } finally {
      xs.dispose();
      xf.dispose();
      ys.dispose();
    }
    return self;
  }

  /** Row-major inputs for `rows` tasks → p50/p90 seconds. */
  predictArrays(sequences: Float32Array, features: Float64Array, rows: number): { p50: Float64Array; p90: Float64Array } {
    const tf = this.tf;
    const p50 = new Float64Array(rows);
    const p90 = new Float64Array(rows);
    const chunk = 4096;
    const stepSize = this.historyLength * this.stepFeatures;
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      const out = tf.tidy(() => {
        const xs = tf.tensor3d(sequences.subarray(start * stepSize, (start + n) * stepSize), [n, this.historyLength, this.stepFeatures]);
        const xf = tf.tensor2d(this.standardise(features.subarray(start * this.nFeatures, (start + n) * this.nFeatures), n), [n, this.nFeatures]);
        return this.model.predict([xs, xf]) as TfNamespace.Tensor;
      });
      const v = out.dataSync();
      out.dispose();
      const cap = this.maxLogDuration + 1;
      for (let i = 0; i < n; i++) {
        const c = Math.max(0, Math.expm1(Math.min(cap, v[2 * i])));
        p50[start + i] = c;
        p90[start + i] = Math.max(c, Math.expm1(Math.min(cap, v[2 * i + 1])));
      }
    }
    return { p50, p90 };
  }

  predictBatch(sequences: ReadonlyArray<Float32Array>, features: ReadonlyArray<ArrayLike<number>>): DurationQuantiles[] {
    if (sequences.length !== features.length) throw new PredictionError('INVALID_FEATURES', `${sequences.length} sequences for ${features.length} feature rows`);
    const rows = features.length;
    const stepSize = this.historyLength * this.stepFeatures;
    const seq = new Float32Array(rows * stepSize);
    const feat = new Float64Array(rows * this.nFeatures);
    for (let i = 0; i < rows; i++) {
      if (sequences[i].length !== stepSize) throw new PredictionError('INVALID_FEATURES', `sequence ${i} has ${sequences[i].length} values, expected ${stepSize}`);
      if (features[i].length !== this.nFeatures) throw new PredictionError('INVALID_FEATURES', `row ${i} has ${features[i].length} features, expected ${this.nFeatures}`);
      seq.set(sequences[i], i * stepSize);
      for (let j = 0; j < this.nFeatures; j++) feat[i * this.nFeatures + j] = features[i][j];
    }
    const { p50, p90 } = this.predictArrays(seq, feat, rows);
    return Array.from(p50, (c, i) => ({ p50: c, p90: p90[i] }));
  }

  async toJSON(): Promise<LstmDurationJson> {
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
      kind: 'duration-lstm',
      version: 1,
      historyLength: this.historyLength,
      stepFeatures: this.stepFeatures,
      nFeatures: this.nFeatures,
      upperQuantile: this.upperQuantile,
      mean: Array.from(this.mean),
      std: Array.from(this.std),
      maxLogDuration: this.maxLogDuration,
      modelTopology: a.modelTopology,
      weightSpecs: a.weightSpecs,
      weights: buf.toString('base64'),
    };
  }

  static async fromJSON(json: LstmDurationJson): Promise<LstmDurationModel> {
    if (json.kind !== 'duration-lstm' || json.version !== 1) {
      throw new PredictionError('INVALID_ARTIFACT', `lstm artifact has kind/version ${String(json.kind)}/${String(json.version)}`);
    }
    if (json.mean.length !== json.nFeatures || json.std.length !== json.nFeatures) {
      throw new PredictionError('INVALID_ARTIFACT', 'lstm artifact standardisation does not match nFeatures');
    }
    const tf = loadTf();
    const bytes = Buffer.from(json.weights, 'base64');
    const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as TfNamespace.io.ModelArtifacts['modelTopology'],
        weightSpecs: json.weightSpecs as TfNamespace.io.WeightsManifestEntry[],
        weightData,
      }),
    );
    return new LstmDurationModel(
      tf,
      model,
      json.historyLength,
      json.stepFeatures,
      json.nFeatures,
      json.upperQuantile,
      Float64Array.from(json.mean),
      Float64Array.from(json.std),
      typeof json.maxLogDuration === 'number' && Number.isFinite(json.maxLogDuration) ? json.maxLogDuration : Infinity,
    );
  }

  dispose(): void {
    this.model.dispose();
  }
}
