import type { DenseActivation, NetworkWeights, PolicyWeights } from './neural-weights';

/** One dense layer, weights row-major inputs × outputs, in Float64Array for the hot path. */
interface Dense {
  readonly nin: number;
  readonly nout: number;
  readonly w: Float64Array;
  readonly b: Float64Array;
  readonly act: DenseActivation;
}

const activate = (act: DenseActivation, z: number): number => (act === 'tanh' ? Math.tanh(z) : act === 'relu' ? (z > 0 ? z : 0) : z);
/** d act / d z, from z and the activation's value a. */
const slope = (act: DenseActivation, z: number, a: number): number => (act === 'tanh' ? 1 - a * a : act === 'relu' ? (z > 0 ? 1 : 0) : 1);

/**
 * A small multilayer perceptron with a scalar output, evaluated in plain TypeScript: a batch of rows
 * goes through layer by layer in two reusable buffers, so scoring the shortlist of one decision
 * allocates nothing. Matches tfjs's dense layers (see the forward-pass test) within float32 rounding.
 */
export class DenseNetwork {
  private readonly layers: Dense[];
  readonly inputs: number;
  private bufA = new Float64Array(0);
  private bufB = new Float64Array(0);

  constructor(net: NetworkWeights) {
    this.layers = net.layers.map((l) => ({ nin: l.shape[0], nout: l.shape[1], w: Float64Array.from(l.weights), b: Float64Array.from(l.bias), act: l.activation }));
    this.inputs = this.layers[0]?.nin ?? 0;
  }

  /** Scores of `rows` input rows laid out row-major in `x` (rows × inputs); writes them to `out`. */
  forward(x: Float64Array, rows: number, out: Float64Array): void {
    const widest = this.layers.reduce((m, l) => Math.max(m, l.nout), 1) * rows;
    if (this.bufA.length < widest) {
      this.bufA = new Float64Array(widest);
      this.bufB = new Float64Array(widest);
    }
    let src = x;
    let width = this.inputs;
    let dst = this.bufA;
    for (let li = 0; li < this.layers.length; li++) {
      const l = this.layers[li] as Dense;
      for (let r = 0; r < rows; r++) {
        const so = r * width;
        const dOff = r * l.nout;
        for (let j = 0; j < l.nout; j++) dst[dOff + j] = l.b[j] as number;
        for (let i = 0; i < l.nin; i++) {
          const xi = src[so + i] as number;
          if (xi === 0) continue;
          const wo = i * l.nout;
          for (let j = 0; j < l.nout; j++) dst[dOff + j] = (dst[dOff + j] as number) + xi * (l.w[wo + j] as number);
        }
        if (l.act !== 'linear') for (let j = 0; j < l.nout; j++) dst[dOff + j] = activate(l.act, dst[dOff + j] as number);
      }
      src = dst;
      width = l.nout;
      dst = dst === this.bufA ? this.bufB : this.bufA;
    }
    for (let r = 0; r < rows; r++) out[r] = src[r * width] as number;
  }

  /** The score of one input row and its gradient with respect to that row (for gradient × input). */
  gradient(x: Float64Array): { value: number; grad: Float64Array } {
    const zs: Float64Array[] = [];
    const as: Float64Array[] = [Float64Array.from(x.subarray(0, this.inputs))];
    for (const l of this.layers) {
      const a = as[as.length - 1] as Float64Array;
      const z = new Float64Array(l.nout);
      for (let j = 0; j < l.nout; j++) {
        let s = l.b[j] as number;
        for (let i = 0; i < l.nin; i++) s += (a[i] as number) * (l.w[i * l.nout + j] as number);
        z[j] = s;
      }
      zs.push(z);
      as.push(z.map((v) => activate(l.act, v)));
    }
    // Back-propagate d score / d activations from the single output.
    let delta = new Float64Array([1]);
    for (let li = this.layers.length - 1; li >= 0; li--) {
      const l = this.layers[li] as Dense;
      const z = zs[li] as Float64Array;
      const a = as[li + 1] as Float64Array;
      const dz = delta.map((d, j) => d * slope(l.act, z[j] as number, a[j] as number));
      const prev = new Float64Array(l.nin);
      for (let i = 0; i < l.nin; i++) {
        let s = 0;
        for (let j = 0; j < l.nout; j++) s += (l.w[i * l.nout + j] as number) * (dz[j] as number);
        prev[i] = s;
      }
      delta = prev;
    }
    return { value: (as[as.length - 1] as Float64Array)[0] as number, grad: delta };
  }
}

/**
 * The whole scorer of the learned policy. For a candidate task with raw task features t and context
 * features c (normalised to t̂, ĉ with the stored means and deviations):
 *
 *   priority = taskSkip · t̂ + taskNet(t̂) + agingPerHour × hours waited + contextNet(t̂ ++ ĉ)
 *
 * The first two terms ("task score") change only when the task does and are cached in the ranked
 * index; the others are evaluated for the shortlist each decision. Higher runs first.
 */
export class PolicyScorer {
  readonly nTask: number;
  readonly nContext: number;
  private readonly taskNet: DenseNetwork;
  private readonly contextNet: DenseNetwork;
  private readonly tMean: Float64Array;
  private readonly tStd: Float64Array;
  private readonly cMean: Float64Array;
  private readonly cStd: Float64Array;
  private readonly skip: Float64Array;
  private readonly one = new Float64Array(1);
  private taskRow: Float64Array;
  private joint = new Float64Array(0);

  constructor(readonly weights: PolicyWeights) {
    this.nTask = weights.taskFeatures.length;
    this.nContext = weights.contextFeatures.length;
    this.taskNet = new DenseNetwork(weights.taskNet);
    this.contextNet = new DenseNetwork(weights.contextNet);
    this.tMean = Float64Array.from(weights.normalisation.taskMean);
    this.tStd = Float64Array.from(weights.normalisation.taskStd);
    this.cMean = Float64Array.from(weights.normalisation.contextMean);
    this.cStd = Float64Array.from(weights.normalisation.contextStd);
    this.skip = Float64Array.from(weights.taskSkip);
    this.taskRow = new Float64Array(this.nTask);
  }

  get agingPerHour(): number {
    return this.weights.agingPerHour;
  }

  /** Task score of one row of raw task features (at `offset` in `raw`). */
  taskScore(raw: Float64Array, offset = 0): number {
    let s = 0;
    for (let i = 0; i < this.nTask; i++) {
      const v = ((raw[offset + i] as number) - (this.tMean[i] as number)) / (this.tStd[i] as number);
      this.taskRow[i] = v;
      s += (this.skip[i] as number) * v;
    }
    this.taskNet.forward(this.taskRow, 1, this.one);
    return s + (this.one[0] as number);
  }

  /**
   * Context scores of `rows` candidates (raw task rows in `task`, raw context rows in `context`,
   * row-major), batched through the context network; written to `out`.
   */
  contextScores(task: Float64Array, context: Float64Array, rows: number, out: Float64Array): void {
    const width = this.nTask + this.nContext;
    if (this.joint.length < rows * width) this.joint = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) {
      const o = r * width;
      for (let i = 0; i < this.nTask; i++) this.joint[o + i] = ((task[r * this.nTask + i] as number) - (this.tMean[i] as number)) / (this.tStd[i] as number);
      for (let i = 0; i < this.nContext; i++) {
        this.joint[o + this.nTask + i] = ((context[r * this.nContext + i] as number) - (this.cMean[i] as number)) / (this.cStd[i] as number);
      }
    }
    this.contextNet.forward(this.joint, rows, out);
  }

  /**
   * Gradient × input of one candidate's priority, per raw feature: the normalised input (its
   * distance from the training mean in deviations) times d priority / d normalised input — how much
   * each input moved this candidate's score away from an average task. Aging is reported apart.
   */
  attribution(task: Float64Array, context: Float64Array): { task: Float64Array; context: Float64Array; taskScore: number; contextScore: number } {
    const tHat = new Float64Array(this.nTask);
    for (let i = 0; i < this.nTask; i++) tHat[i] = ((task[i] as number) - (this.tMean[i] as number)) / (this.tStd[i] as number);
    const joint = new Float64Array(this.nTask + this.nContext);
    joint.set(tHat);
    for (let i = 0; i < this.nContext; i++) joint[this.nTask + i] = ((context[i] as number) - (this.cMean[i] as number)) / (this.cStd[i] as number);
    const tg = this.taskNet.gradient(tHat);
    const cg = this.contextNet.gradient(joint);
    const taskAttr = new Float64Array(this.nTask);
    let skipScore = 0;
    for (let i = 0; i < this.nTask; i++) {
      const g = (this.skip[i] as number) + (tg.grad[i] as number) + (cg.grad[i] as number);
      taskAttr[i] = g * (tHat[i] as number);
      skipScore += (this.skip[i] as number) * (tHat[i] as number);
    }
    const ctxAttr = new Float64Array(this.nContext);
    for (let i = 0; i < this.nContext; i++) ctxAttr[i] = (cg.grad[this.nTask + i] as number) * (joint[this.nTask + i] as number);
    return { task: taskAttr, context: ctxAttr, taskScore: skipScore + tg.value, contextScore: cg.value };
  }
}
