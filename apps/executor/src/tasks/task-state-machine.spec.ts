import { assertTransition, canTransition, IllegalTransitionError, nextStatusAfterAttempt, retryDelayMs } from './task-state-machine';

describe('task state machine', () => {
  it.each([
    ['queued', 'running', true],
    ['running', 'succeeded', true],
    ['running', 'queued', true],
    ['succeeded', 'failed', false],
    ['failed', 'queued', false],
    ['queued', 'succeeded', false],
    ['running', 'oom_killed', true],
    ['queued', 'oom_killed', false],
    ['oom_killed', 'queued', false],
  ] as const)('%s → %s allowed=%s', (from, to, ok) => {
    expect(canTransition(from, to)).toBe(ok);
  });
  it('throws a typed error on an illegal transition', () => {
    expect(() => assertTransition('t1', 'succeeded', 'running')).toThrow(IllegalTransitionError);
  });
  it.each([
    ['succeeded', 1, 3, 0, 'succeeded'],
    ['failed', 1, 3, 0, 'queued'],
    ['failed', 3, 3, 0, 'failed'],
    ['timed_out', 1, 1, 0, 'timed_out'],
    ['oom_killed', 1, 2, 0, 'queued'],
    ['oom_killed', 2, 2, 0, 'oom_killed'],
    ['lost', 5, 1, 1, 'queued'],
    ['lost', 5, 1, 4, 'failed'],
  ] as const)('%s at attempt %d/%d lost=%d → %s', (outcome, a, m, l, next) => {
    expect(nextStatusAfterAttempt(outcome, a, m, l)).toBe(next);
  });
  // The shared default (1 s × 2^(n−1), cap 100 s, equal jitter): delay = ceiling · (1 + u) / 2, hand-computed.
  it.each([
    [1, 0, 500],
    [1, 0.5, 750],
    [1, 0.999, 1000],
    [3, 0.25, 2500],
    [4, 0.5, 6000],
    [30, 0.5, 75_000],
    [30, 1, 100_000],
  ])('retry after attempt %d with u = %d waits %d ms (equal jitter, uniform on [ceiling/2, ceiling))', (attempt, u, ms) => {
    expect(retryDelayMs(attempt, u)).toBe(ms);
  });
});
