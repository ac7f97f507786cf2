import { createHash } from 'node:crypto';
import { PolicyWeightsError } from '../../model/errors';
import { CONTEXT_FEATURES, TASK_FEATURES } from './neural-features';
import { makePolicyWeights } from './neural.fixtures';
import { CURRENT_FEATURE_SCHEMA_HASH, featureSchemaHashOf, parsePolicyWeights } from './neural-weights';

const issuesOf = (raw: unknown): string[] => {
  try {
    parsePolicyWeights(raw, 'w.json');
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyWeightsError);
    const err = e as PolicyWeightsError;
    expect(err.code).toBe('INVALID_WEIGHTS');
    expect(err.message.startsWith('w.json: invalid policy weights: ')).toBe(true);
    return [...err.issues];
  }
  throw new Error('expected PolicyWeightsError');
};

describe('policy weights file', () => {
  const good = makePolicyWeights();

  it('hashes the feature list as the model registry does (SHA-256 of the JSON array)', () => {
    const want = createHash('sha256').update(JSON.stringify([...TASK_FEATURES, ...CONTEXT_FEATURES])).digest('hex');
    expect(CURRENT_FEATURE_SCHEMA_HASH).toBe(want);
    expect(featureSchemaHashOf(['a', 'b'], [])).not.toBe(featureSchemaHashOf(['b', 'a'], []));
  });

  it('accepts valid weights and survives a JSON round trip', () => {
    expect(parsePolicyWeights(JSON.parse(JSON.stringify(good)))).toEqual(good);
  });

  it.each([
    ['a missing field', (w: Record<string, unknown>) => delete w['agingPerHour'], 'agingPerHour: '],
    ['the wrong format', (w: Record<string, unknown>) => (w['format'] = 'something-else'), 'format: '],
    ['a negative aging rate', (w: Record<string, unknown>) => (w['agingPerHour'] = -1), 'agingPerHour: must be ≥ 0'],
    ['a zero deviation', (w: { normalisation: { taskStd: number[] } }) => (w.normalisation.taskStd[3] = 0), 'normalisation.taskStd[3]: must be > 0'],
    ['a non-finite weight', (w: { taskNet: { layers: { weights: unknown[] }[] } }) => (w.taskNet.layers[0]!.weights[5] = 'x'), 'taskNet.layers[0].weights[5]: '],
    ['too few weights for the shape', (w: { contextNet: { layers: { weights: number[] }[] } }) => w.contextNet.layers[1]!.weights.pop(), 'contextNet.layers[1].weights: expected 5 numbers (shape 5×1), got 4'],
    ['layers that do not chain', (w: { taskNet: { layers: { shape: number[] }[] } }) => (w.taskNet.layers[1]!.shape = [7, 1]), 'taskNet.layers[1].shape: expected 6 inputs'],
    ['a bias of the wrong length', (w: { taskNet: { layers: { bias: number[] }[] } }) => w.taskNet.layers[0]!.bias.push(1), 'taskNet.layers[0].bias: expected 6 numbers, got 7'],
    ['a skip vector of the wrong length', (w: { taskSkip: number[] }) => w.taskSkip.push(0), 'taskSkip: expected 12 numbers (one per task feature), got 13'],
    ['a tampered hash', (w: Record<string, unknown>) => (w['featureSchemaHash'] = '0'.repeat(64)), 'featureSchemaHash: does not match the feature lists'],
    ['a shortlist of 0', (w: Record<string, unknown>) => (w['shortlist'] = 0), 'shortlist: '],
    ['a training block without a seed', (w: { training: Record<string, unknown> }) => delete w.training['seed'], 'training.seed: '],
  ] as [string, (w: never) => unknown, string][])('names the field for %s', (_label, mutate, expected) => {
    const w = JSON.parse(JSON.stringify(good)) as never;
    mutate(w);
    const issues = issuesOf(w);
    expect(issues.some((i) => i.startsWith(expected))).toBe(true);
  });

  it('refuses weights for another feature schema (with the lists it expected)', () => {
    const other = ['log_estimate_s.v2', ...TASK_FEATURES.slice(1)];
    const w = { ...JSON.parse(JSON.stringify(good)), taskFeatures: other, featureSchemaHash: featureSchemaHashOf(other, CONTEXT_FEATURES) };
    const issues = issuesOf(w);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^taskFeatures: this build computes \[log_estimate_s\.v1, .*the weights expect \[log_estimate_s\.v2, /);
  });

  it('refuses a value that is not an object at all', () => {
    expect(issuesOf(null)[0]).toMatch(/^: |^\(root\)|expected object/);
  });
});
