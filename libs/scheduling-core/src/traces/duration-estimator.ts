/**
 * Causal duration predictor used by the replay: a task's prediction may only use tasks that had
 * already ended when it arrived (same job first, else tasks with a similar resource/instance
 * shape, else everything). Predictions are log-space means; the std is the log-normal spread.
 */
export interface EstimatorRow {
  readonly jobId: string;
  readonly arrival: number;
  readonly end: number;
  readonly cpu: number;
  readonly mem: number;
  readonly instances: number;
}

export interface Prediction {
  readonly predicted: number;
  readonly std: number;
  readonly source: 'job' | 'shape' | 'global' | 'prior';
}

interface Stat {
  n: number;
  s: number;
  s2: number;
}

const add = (m: Map<string, Stat>, k: string, x: number): void => {
  const st = m.get(k) ?? { n: 0, s: 0, s2: 0 };
  st.n++;
  st.s += x;
  st.s2 += x * x;
  m.set(k, st);
};

function shapeKey(r: EstimatorRow): string {
  const cpu = Math.round(Math.log2(Math.max(1, r.cpu)));
  const mem = Math.round(Math.log2(Math.max(1e-4, r.mem)) * 2);
  const inst = Math.round(Math.log2(Math.max(1, r.instances)));
  return `${cpu}|${mem}|${inst}`;
}

function fromStat(st: Stat, source: Prediction['source']): Prediction {
  const mean = st.s / st.n;
  const variance = Math.max(0, st.s2 / st.n - mean * mean) + (st.n < 3 ? 0.5 : 0);
  const predicted = Math.exp(mean);
  return { predicted, std: predicted * Math.sqrt(Math.max(0, Math.exp(variance) - 1)), source };
}

/** Predictions for `rows` (any order), each using only rows with end ≤ its arrival. */
export function causalPredictions(rows: readonly EstimatorRow[], prior = 120): Prediction[] {
  const byArrival = rows.map((_, i) => i).sort((a, b) => (rows[a]?.arrival ?? 0) - (rows[b]?.arrival ?? 0));
  const byEnd = rows.map((_, i) => i).sort((a, b) => (rows[a]?.end ?? 0) - (rows[b]?.end ?? 0));
  const job = new Map<string, Stat>();
  const shape = new Map<string, Stat>();
  const global: Stat = { n: 0, s: 0, s2: 0 };
  const out = new Array<Prediction>(rows.length);
  let p = 0;
  for (const i of byArrival) {
    const r = rows[i] as EstimatorRow;
    while (p < byEnd.length && (rows[byEnd[p] as number]?.end ?? Infinity) <= r.arrival) {
      const d = rows[byEnd[p] as number] as EstimatorRow;
      const x = Math.log(Math.max(1, d.end - d.arrival));
      add(job, d.jobId, x);
      add(shape, shapeKey(d), x);
      global.n++;
      global.s += x;
      global.s2 += x * x;
      p++;
    }
    const js = job.get(r.jobId);
    const ss = shape.get(shapeKey(r));
    out[i] = js
      ? fromStat(js, 'job')
      : ss && ss.n >= 3
        ? fromStat(ss, 'shape')
        : global.n > 0
          ? fromStat(global, 'global')
          : { predicted: prior, std: prior, source: 'prior' };
  }
  return out;
}
