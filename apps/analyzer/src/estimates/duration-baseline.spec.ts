import { movingAverageEstimate, taskSignature } from './duration-baseline';

describe('duration baseline', () => {
  it('is null without history', () => expect(movingAverageEstimate([])).toBeNull());
  it('averages and takes the 90th percentile', () => {
    expect(movingAverageEstimate([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])).toEqual({ p50Ms: 55, p90Ms: 90 });
  });
  it('names tasks by queue, kind and command', () => {
    expect(taskSignature('q', null, { kind: 'shell', command: ['echo', 'a'], shell: false, env: {} })).toBe('q|shell|echo a');
    expect(taskSignature('q', 'build', { kind: 'noop', sleepMs: 0 })).toBe('q|noop|build');
  });
});
