import { ModelRegistryError, ServingError } from '@kairos/ml';
import { TrainBodySchema } from '../models/analyzer.schemas';
import { AnalyzerError, analyzerStatusOf, parseOrThrow, toAnalyzerError } from './analyzer.errors';

describe('analyzer errors', () => {
  it('names the bad field of a training request (400)', () => {
    let err: unknown;
    try {
      parseOrThrow(TrainBodySchema, { trees: 'many', colour: 1 }, 'training request');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AnalyzerError);
    expect(analyzerStatusOf(err as AnalyzerError)).toBe(400);
    expect((err as Error).message).toMatch(/trees/);
    expect((err as Error).message).toMatch(/colour/);
  });
  it('accepts an empty body', () => expect(parseOrThrow(TrainBodySchema, undefined, 'training request')).toEqual({}));
  it('maps registry and serving failures to HTTP statuses', () => {
    const status = (e: unknown) => analyzerStatusOf(toAnalyzerError(e) as AnalyzerError);
    expect(status(new ModelRegistryError('VERSION_NOT_FOUND', 'x'))).toBe(404);
    expect(status(new ModelRegistryError('NO_ROLLBACK_TARGET', 'x'))).toBe(409);
    expect(status(new ModelRegistryError('REVISION_CONFLICT', 'x'))).toBe(409);
    expect(status(new ServingError('INSUFFICIENT_HISTORY', 'x'))).toBe(409);
    const other = new Error('boom');
    expect(toAnalyzerError(other)).toBe(other);
  });
});
