/**
 * Dual-vigilance fuzzy ART (adaptive resonance theory, Carpenter & Grossberg; the dual-vigilance
 * variant of da Silva, Elnabarawy & Wunsch 2019) as ARTime uses it: fuzzy ART categories over
 * complement-coded inputs with two vigilance levels.
 *
 * - Every category whose match reaches the upper vigilance learns the input (fast learning:
 *   weight ← min(input, weight)).
 * - If none does, but the best category reaches the lower vigilance, the input becomes a new
 *   category of that category's cluster (the cluster grows a new prototype).
 * - Otherwise the input starts a new cluster: `cluster` is −1, the signal ARTime treats as novelty.
 *
 * Memory is bounded: with `maxCategories` set, committing a category beyond it first forgets the one
 * that has gone longest without being created, learned into or chosen as best match (the reference
 * implementation grows without bound; on the NAB corpus it never needs more than 831 categories).
 *
 * The match of a category combines how much of its weight the input covers (feature similarity,
 * cubed) with how well the input's last coordinate (the newest value in ARTime's feature vector) and
 * its complement are covered ("energy" similarity, squared).
 */
export interface ArtStep {
  /** Cluster label of the resonating category; −1 when the input started a new cluster (or learning was off). */
  readonly cluster: number;
  /** Best match over all categories (0 when there are none yet). */
  readonly match: number;
  /** Energy similarity of the best-matching category. */
  readonly energy: number;
}

export class DualVigilanceArt {
  lowerVigilance: number;
  upperVigilance: number;
  private readonly weights: Float64Array[] = [];
  private readonly clusterOf: number[] = [];
  /** Step at which each category was last created, learned into or chosen as best match. */
  private readonly lastUsed: number[] = [];
  private steps = 0;
  private clusters = 0;
  private readonly input: Float64Array;
  private match = new Float64Array(16);
  private energy = new Float64Array(16);

  constructor(
    readonly dim: number,
    vigilance: { lower: number; upper: number },
    private readonly maxCategories = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
    if (!(maxCategories >= 2)) throw new RangeError(`maxCategories must be at least 2, got ${maxCategories}`);
    this.lowerVigilance = vigilance.lower;
    this.upperVigilance = vigilance.upper;
    this.input = new Float64Array(2 * dim);
  }

  get categoryCount(): number {
    return this.weights.length;
  }

  /**
   * Presents one input (values in [0, 1], length `dim`). The very first input only creates the
   * initial all-ones category (match 0), as in the reference implementation; with `learn` false the
   * weights stay as they are and the step only reports the best match.
   */
  present(x: ArrayLike<number>, learn = true): ArtStep {
    const { dim, input } = this;
    if (x.length !== dim) throw new RangeError(`expected ${dim} features, got ${x.length}`);
    for (let k = 0; k < dim; k++) {
      input[k] = x[k];
      input[dim + k] = 1 - x[k];
    }
    this.steps += 1;
    if (this.weights.length === 0) {
      this.weights.push(new Float64Array(2 * dim).fill(1));
      this.clusterOf.push(1);
      this.lastUsed.push(this.steps);
      this.clusters = 1;
      return { cluster: 1, match: 0, energy: 0 };
    }
    const n = this.weights.length;
    if (this.match.length < n) {
      this.match = new Float64Array(2 * n);
      this.energy = new Float64Array(2 * n);
    }
    for (let j = 0; j < n; j++) this.activate(j);
    // Categories by descending match; ties keep the older category first (stable order).
    const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => this.match[b] - this.match[a] || a - b);

    let best = -1;
    let bestMatch = 0;
    let bestEnergy = 0;
    let cluster = -1;
    let resonated = false;
    for (const j of order) {
      const m = this.match[j];
      if (m > bestMatch) {
        best = j;
        bestMatch = m;
        bestEnergy = this.energy[j];
      }
      if (!learn) continue;
      if (m >= this.upperVigilance) {
        this.learnInto(j);
        this.lastUsed[j] = this.steps;
        if (m >= bestMatch) cluster = this.clusterOf[j];
        resonated = true;
      } else {
        // The first category below the upper vigilance ends the search. If nothing resonated, it is the
        // best one: reaching the lower vigilance, the input joins its cluster as a new category;
        // otherwise the input starts a new cluster.
        if (m >= this.lowerVigilance && !resonated) cluster = this.clusterOf[j];
        break;
      }
    }
    if (!learn) return { cluster: -1, match: bestMatch, energy: bestEnergy };
    if (best >= 0) this.lastUsed[best] = this.steps; // before commit() may forget a category
    if (!resonated) {
      if (cluster === -1) this.clusters += 1;
      this.commit(cluster === -1 ? this.clusters : cluster);
    }
    return { cluster, match: bestMatch, energy: bestEnergy };
  }

  /**
   * Re-expresses the categories after the coordinates [from, to) were remapped by x ↦ a·x + b with
   * a ≥ 0 (a value range that grew): each category is a box [lower, upper] per coordinate (weight =
   * lower, complement weight = 1 − upper), and an increasing affine map sends boxes to boxes, so the
   * categories cover in the new coordinates what they covered in the old. Empty boxes (the initial
   * all-ones category, lower > upper) are left as they are.
   */
  rescale(from: number, to: number, a: number, b: number): void {
    const { dim } = this;
    if (!(a >= 0) || !Number.isFinite(a) || !Number.isFinite(b) || from < 0 || to > dim || from > to) {
      throw new RangeError(`rescale: need 0 ≤ from ≤ to ≤ ${dim} and a finite a ≥ 0, got from ${from}, to ${to}, a ${a}, b ${b}`);
    }
    for (const w of this.weights) {
      for (let k = from; k < to; k++) {
        const lower = w[k];
        const upper = 1 - w[dim + k];
        if (lower > upper) continue;
        w[k] = Math.min(1, Math.max(0, a * lower + b));
        w[dim + k] = 1 - Math.min(1, Math.max(0, a * upper + b));
      }
    }
  }

  private activate(j: number): void {
    const w = this.weights[j];
    const { input } = this;
    let covered = 0;
    let size = 0;
    for (let k = 0; k < w.length; k++) {
      covered += input[k] < w[k] ? input[k] : w[k];
      size += w[k];
    }
    const last = this.dim - 1;
    const end = w.length - 1;
    const eCovered = Math.min(input[last], w[last]) + Math.min(input[end], w[end]);
    const eSize = w[last] + w[end];
    const features = covered / (size === 0 ? 0.001 : size);
    const energy = eSize === 0 ? 0 : eCovered / eSize;
    this.match[j] = features ** 3 * energy ** 2;
    this.energy[j] = energy;
  }

  private learnInto(j: number): void {
    const w = this.weights[j];
    const { input } = this;
    for (let k = 0; k < w.length; k++) if (input[k] < w[k]) w[k] = input[k];
  }

  private commit(cluster: number): void {
    if (this.weights.length >= this.maxCategories) {
      let oldest = 0;
      for (let j = 1; j < this.lastUsed.length; j++) if (this.lastUsed[j] < this.lastUsed[oldest]) oldest = j;
      this.weights.splice(oldest, 1);
      this.clusterOf.splice(oldest, 1);
      this.lastUsed.splice(oldest, 1);
    }
    this.weights.push(Float64Array.from(this.input));
    this.clusterOf.push(cluster);
    this.lastUsed.push(this.steps);
  }
}
