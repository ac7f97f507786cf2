export interface AlertSuppressionConfig {
  /** An output ≥ this level counts as an alert. */
  readonly level?: number;
  /** Rows after an alert during which outputs are multiplied by `damp`. */
  readonly rows?: number;
  readonly damp?: number;
}

/**
 * Causal alert suppression: NAB credits only the first detection inside an anomaly window and charges
 * every later one outside it, so after an output reaches `level` the next `rows` outputs are damped.
 */
export class AlertSuppression {
  private readonly level: number;
  private readonly rows: number;
  private readonly damp: number;
  private row = 0;
  private lastAlert = Number.NEGATIVE_INFINITY;

  constructor(config: AlertSuppressionConfig = {}) {
    this.level = config.level ?? 0.5;
    this.rows = config.rows ?? 0;
    this.damp = config.damp ?? 0;
  }

  next(score: number): number {
    let out = score;
    if (this.row - this.lastAlert <= this.rows) out *= this.damp;
    else if (score >= this.level) this.lastAlert = this.row;
    this.row++;
    return out;
  }
}
