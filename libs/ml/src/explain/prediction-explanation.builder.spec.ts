import { PredictionExplanationSchema } from '@kairos/contracts';
import { DurationPredictor } from '../prediction/duration.predictor';
import { seededRandom } from '../common/random';
import { durationExplainers, explainPrediction, unavailableExplanation } from './prediction-explanation.builder';

const AT = new Date('2026-11-29T12:00:00.000Z');
const REF = { name: 'duration', version: 1, featureSchemaHash: 'c'.repeat(64) };

function trainedPredictor(): { predictor: DurationPredictor; rows: number[][] } {
  const random = seededRandom(5);
  const rows: number[][] = [];
  const durations: number[] = [];
  for (let i = 0; i < 400; i++) {
    const r = [random() * 10, random(), random() * 3];
    rows.push(r);
    durations.push(Math.expm1(0.5 * r[0] + r[2] + 0.1 * random()));
  }
  const values = Float64Array.from(rows.flat());
  const predictor = DurationPredictor.train({ values, rows: rows.length, cols: 3 }, durations, {
    featureNames: ['size', 'noise', 'depth'],
    central: { nTrees: 30, maxDepth: 3, minLeaf: 5 },
    upper: { nTrees: 30, maxDepth: 3, minLeaf: 5 },
  });
  return { predictor, rows };
}

describe('explainPrediction', () => {
  it('builds a contracts-valid explanation whose top-k and rest add up to the model output', () => {
    const { predictor, rows } = trainedPredictor();
    const ex = durationExplainers(predictor.toJSON());
    expect(ex).not.toBeNull();
    const row = [...rows[0]];
    row[1] = Number.NaN;
    const e = explainPrediction(ex!.central, row, { model: REF, target: 'duration_p50', outputSpace: 'log1p_seconds', featureNames: ex!.featureNames, topK: 2, at: AT });
    expect(PredictionExplanationSchema.parse(e)).toEqual(e);
    expect(e.top).toHaveLength(2);
    expect(e.top.map((c) => c.feature)).toContain('size');
    // log1p of the p50 the predictor serves (clamped at 0 s) equals the explained raw output.
    const p50 = predictor.predictBatch([row])[0].p50;
    expect(Math.expm1(e.prediction)).toBeCloseTo(p50, 6);
    const noise = e.top.find((c) => c.feature === 'noise');
    if (noise) expect(noise.value).toBeNull();
  });

  it('reports "unavailable" for an artifact without covers', () => {
    const { predictor } = trainedPredictor();
    const json = predictor.toJSON();
    const strip = <T extends { cover?: number[] }>(m: T): Omit<T, 'cover'> => {
      const { cover: _c, ...rest } = m;
      void _c;
      return rest;
    };
    expect(durationExplainers({ ...json, central: strip(json.central), upper: strip(json.upper) })).toBeNull();
    const u = unavailableExplanation(REF, 'duration_p50', 'no_node_covers', AT);
    expect(PredictionExplanationSchema.parse(u)).toEqual(u);
  });
});
