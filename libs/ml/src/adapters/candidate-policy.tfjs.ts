import type * as TfNamespace from '@tensorflow/tfjs';
import type { Tf } from './tfjs-backend.adapter';

/**
 * Policy-gradient training of a per-candidate scoring policy in TensorFlow.js (the learned scheduler
 * of @kairos/scheduling-core, whose framework-free forward pass must match `scores` below). Types
 * are declared here structurally so libs/ml does not import the scheduling core:
 *
 *   priority = skip · t̂ + taskNet(t̂) + softplus(ρ) × hours waited + contextNet(t̂ ++ ĉ)
 *   π(candidate) = softmax over a decision's candidates of priority ÷ temperature
 *
 * with t̂, ĉ the raw features normalised by fixed means and deviations (not trained).
 */
export type CandidateActivation = 'linear' | 'relu' | 'tanh';

export interface CandidateDenseLayer {
  readonly shape: readonly [number, number];
  /** Row-major inputs × outputs. */
  readonly weights: readonly number[];
  readonly bias: readonly number[];
  readonly activation: CandidateActivation;
}

export interface CandidatePolicyParameters {
  readonly taskSkip: number[];
  readonly taskNet: { layers: { shape: [number, number]; weights: number[]; bias: number[]; activation: CandidateActivation }[] };
  readonly contextNet: { layers: { shape: [number, number]; weights: number[]; bias: number[]; activation: CandidateActivation }[] };
  readonly agingPerHour: number;
}

export interface CandidateNormalisation {
  readonly taskMean: readonly number[];
  readonly taskStd: readonly number[];
  readonly contextMean: readonly number[];
  readonly contextStd: readonly number[];
}

/** Decisions padded to `slots` candidates; features raw (as the policy computed them). */
export interface CandidateBatch {
  readonly decisions: number;
  readonly slots: number;
  readonly task: Float32Array;
  readonly context: Float32Array;
  readonly waitHours: Float32Array;
  readonly mask: Float32Array;
  readonly chosen: Int32Array;
  readonly advantage: Float32Array;
}

export interface CandidateOptimizerOptions {
  readonly learningRate: number;
  /** Decisions per Adam step; the batch is walked once in this order (0 = the whole batch in one step). */
  readonly minibatch: number;
  /** Clip the global gradient norm (0 = off). */
  readonly clipNorm: number;
}

interface DenseVars {
  readonly w: TfNamespace.Variable;
  readonly b: TfNamespace.Variable;
  readonly act: CandidateActivation;
  readonly shape: [number, number];
}

/** softplus⁻¹, with the aging rate floored at 1e-4 per hour so ρ stays finite. */
const softplusInverse = (a: number): number => {
  const x = Math.max(a, 1e-4);
  return x > 20 ? x : Math.log(Math.expm1(x));
};

export class TfCandidatePolicyOptimizer {
  private readonly skip: TfNamespace.Variable;
  private readonly taskLayers: DenseVars[];
  private readonly contextLayers: DenseVars[];
  private readonly agingRho: TfNamespace.Variable;
  private readonly tMean: TfNamespace.Tensor;
  private readonly tStd: TfNamespace.Tensor;
  private readonly cMean: TfNamespace.Tensor;
  private readonly cStd: TfNamespace.Tensor;
  private readonly optimizer: TfNamespace.Optimizer;
  private readonly nTask: number;
  private readonly nContext: number;

  constructor(
    private readonly tf: Tf,
    initial: CandidatePolicyParameters,
    norm: CandidateNormalisation,
    private readonly o: CandidateOptimizerOptions,
  ) {
    this.nTask = norm.taskMean.length;
    this.nContext = norm.contextMean.length;
    this.skip = tf.variable(tf.tensor2d(initial.taskSkip, [this.nTask, 1]), true, 'skip');
    const mk = (prefix: string, layers: readonly CandidateDenseLayer[]): DenseVars[] =>
      layers.map((l, i) => ({
        w: tf.variable(tf.tensor2d([...l.weights], [l.shape[0], l.shape[1]]), true, `${prefix}${i}w`),
        b: tf.variable(tf.tensor1d([...l.bias]), true, `${prefix}${i}b`),
        act: l.activation,
        shape: [l.shape[0], l.shape[1]],
      }));
    this.taskLayers = mk('task', initial.taskNet.layers);
    this.contextLayers = mk('context', initial.contextNet.layers);
    this.agingRho = tf.variable(tf.scalar(softplusInverse(initial.agingPerHour)), true, 'agingRho');
    this.tMean = tf.tensor1d([...norm.taskMean]);
    this.tStd = tf.tensor1d([...norm.taskStd]);
    this.cMean = tf.tensor1d([...norm.contextMean]);
    this.cStd = tf.tensor1d([...norm.contextStd]);
    this.optimizer = tf.train.adam(o.learningRate);
  }

  private dense(x: TfNamespace.Tensor2D, layers: readonly DenseVars[]): TfNamespace.Tensor2D {
    const tf = this.tf;
    let h = x;
    for (const l of layers) {
      const z = tf.add(tf.matMul(h, l.w), l.b) as TfNamespace.Tensor2D;
      h = l.act === 'tanh' ? tf.tanh(z) : l.act === 'relu' ? tf.relu(z) : z;
    }
    return h;
  }

  /** Priorities, rows × 1, of raw candidate rows. */
  private priority(task: TfNamespace.Tensor2D, context: TfNamespace.Tensor2D, wait: TfNamespace.Tensor2D): TfNamespace.Tensor2D {
    const tf = this.tf;
    const tHat = tf.div(tf.sub(task, this.tMean), this.tStd) as TfNamespace.Tensor2D;
    const cHat = tf.div(tf.sub(context, this.cMean), this.cStd) as TfNamespace.Tensor2D;
    const taskScore = tf.add(tf.matMul(tHat, this.skip), this.dense(tHat, this.taskLayers));
    const ctxScore = this.dense(tf.concat([tHat, cHat], 1), this.contextLayers);
    const aging = tf.mul(tf.softplus(this.agingRho), wait);
    return tf.add(tf.add(taskScore, ctxScore), aging) as TfNamespace.Tensor2D;
  }

  /** Priorities of the batch's candidates (decisions × slots, padding included): the reference for the plain-TS forward pass. */
  scores(batch: CandidateBatch): Float32Array {
    const tf = this.tf;
    return tf.tidy(() => {
      const rows = batch.decisions * batch.slots;
      const p = this.priority(
        tf.tensor2d(batch.task, [rows, this.nTask]),
        tf.tensor2d(batch.context, [rows, this.nContext]),
        tf.tensor2d(batch.waitHours, [rows, 1]),
      );
      return p.dataSync() as Float32Array;
    });
  }

  private loss(batch: CandidateBatch, from: number, to: number, entropyWeight: number, temperature: number): { loss: TfNamespace.Scalar; entropy: TfNamespace.Scalar } {
    const tf = this.tf;
    const d = to - from;
    const s = batch.slots;
    const rows = d * s;
    const task = tf.tensor2d(batch.task.subarray(from * s * this.nTask, to * s * this.nTask), [rows, this.nTask]);
    const context = tf.tensor2d(batch.context.subarray(from * s * this.nContext, to * s * this.nContext), [rows, this.nContext]);
    const wait = tf.tensor2d(batch.waitHours.subarray(from * s, to * s), [rows, 1]);
    const mask = tf.tensor2d(batch.mask.subarray(from * s, to * s), [d, s]);
    const chosen = tf.oneHot(tf.tensor1d(batch.chosen.subarray(from, to), 'int32'), s);
    const adv = tf.tensor1d(batch.advantage.subarray(from, to));
    const logits = tf.add(tf.div(tf.reshape(this.priority(task, context, wait), [d, s]), temperature), tf.mul(tf.sub(mask, 1), 1e9));
    const logp = tf.logSoftmax(logits);
    const chosenLogp = tf.sum(tf.mul(logp, chosen), 1);
    const p = tf.exp(logp);
    const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.mul(p, logp), mask), 1))) as TfNamespace.Scalar;
    const pg = tf.neg(tf.mean(tf.mul(adv, chosenLogp)));
    return { loss: tf.sub(pg, tf.mul(entropy, entropyWeight)) as TfNamespace.Scalar, entropy };
  }

  private get variables(): TfNamespace.Variable[] {
    return [this.skip, this.agingRho, ...this.taskLayers.flatMap((l) => [l.w, l.b]), ...this.contextLayers.flatMap((l) => [l.w, l.b])];
  }

  /** Walks the batch once in minibatches, one Adam step each; returns the mean loss and entropy. */
  step(batch: CandidateBatch, o: { readonly entropyWeight: number; readonly temperature: number }): { loss: number; entropy: number } {
    const tf = this.tf;
    const size = this.o.minibatch > 0 ? this.o.minibatch : batch.decisions;
    let lossSum = 0;
    let entSum = 0;
    let steps = 0;
    for (let from = 0; from < batch.decisions; from += size) {
      const to = Math.min(batch.decisions, from + size);
      const vars = this.variables;
      const out = tf.tidy(() => {
        let entropy: TfNamespace.Scalar | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const l = this.loss(batch, from, to, o.entropyWeight, o.temperature);
          entropy = tf.keep(l.entropy);
          return l.loss;
        }, vars);
        let g = grads;
        if (this.o.clipNorm > 0) {
          const norm = tf.sqrt(tf.addN(Object.values(grads).map((x) => tf.sum(tf.square(x))))).dataSync()[0] ?? 0;
          if (norm > this.o.clipNorm) g = Object.fromEntries(Object.entries(grads).map(([k, x]) => [k, tf.mul(x, this.o.clipNorm / norm)]));
        }
        this.optimizer.applyGradients(g as TfNamespace.NamedTensorMap);
        const e = entropy as TfNamespace.Scalar | null;
        const result = { loss: value.dataSync()[0] ?? 0, entropy: e ? (e.dataSync()[0] ?? 0) : 0 };
        e?.dispose();
        return result;
      });
      lossSum += out.loss;
      entSum += out.entropy;
      steps++;
    }
    return { loss: steps ? lossSum / steps : 0, entropy: steps ? entSum / steps : 0 };
  }

  /** The current parameters, as plain arrays in the weights-file layout. */
  parameters(): CandidatePolicyParameters {
    const read = (layers: DenseVars[]) => ({
      layers: layers.map((l) => ({ shape: [l.shape[0], l.shape[1]] as [number, number], weights: Array.from(l.w.dataSync()), bias: Array.from(l.b.dataSync()), activation: l.act })),
    });
    const rho = this.agingRho.dataSync()[0] ?? 0;
    return {
      taskSkip: Array.from(this.skip.dataSync()),
      taskNet: read(this.taskLayers),
      contextNet: read(this.contextLayers),
      agingPerHour: rho > 20 ? rho : Math.log1p(Math.exp(rho)),
    };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    for (const t of [this.tMean, this.tStd, this.cMean, this.cStd]) t.dispose();
    this.optimizer.dispose();
  }
}
