import { movingAverageEstimate, taskSignature } from './duration-baseline';

describe('duration baseline', () => {
  it('is null without history', () => expect(movingAverageEstimate([])).toBeNull());
  it('averages and takes the 90th percentile', () => {
    expect(movingAverageEstimate([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])).toEqual({ meanMs: 55, p90Ms: 90 });
  });
  it('reports the mean, not the median, of a skewed history', () => {
    // median 20, mean (10 + 20 + 90) / 3 = 40; the 90th percentile (90) is above it.
    expect(movingAverageEstimate([10, 20, 90])).toEqual({ meanMs: 40, p90Ms: 90 });
  });
  it('raises the upper estimate to the mean when the mean is larger', () => {
    // nine 1s and one 1000: p90 (nearest rank 9) = 1, mean = 100.9.
    expect(movingAverageEstimate([...Array(9).fill(1), 1000])).toEqual({ meanMs: 100.9, p90Ms: 100.9 });
  });
  it('names tasks by queue, kind and command', () => {
    expect(taskSignature('q', null, { kind: 'shell', command: ['echo', 'a'], shell: false, env: {} })).toBe('q|shell|echo a');
    expect(taskSignature('q', 'build', { kind: 'noop', sleepMs: 0 })).toBe('q|noop|build');
  });
});
