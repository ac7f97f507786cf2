import type { StreamingDetector } from './anomaly-detector.types';
import { StreamScorers } from './stream-scorers';

/** Scores each value as |value - previous value| / 100: easy to check by hand. */
function jumpDetector(): StreamingDetector {
  let prev: number | null = null;
  return {
    name: 'jump',
    score(_t, v) {
      const s = prev === null ? 0 : Math.min(1, Math.abs(v - prev) / 100);
      prev = v;
      return s;
    },
  };
}

describe('StreamScorers', () => {
  it('scores each point once, in order, when overlapping windows are handed in again', () => {
    const scorers = new StreamScorers(jumpDetector);
    expect(scorers.score('n1/cpu', [{ t: 1, value: 10 }, { t: 2, value: 30 }])).toEqual([{ t: 1, value: 0 }, { t: 2, value: 0.2 }]);
    // The next round's window repeats t=2 and adds t=3: only t=3 is scored (previous value 30).
    expect(scorers.score('n1/cpu', [{ t: 2, value: 30 }, { t: 3, value: 90 }])).toEqual([{ t: 3, value: 0.6 }]);
    expect(scorers.recent('n1/cpu', 2)).toEqual([{ t: 2, value: 0.2 }, { t: 3, value: 0.6 }]);
    expect(scorers.seen('n1/cpu')).toBe(3);
    expect(scorers.seen('unknown')).toBe(0);
  });

  it('keeps streams apart and bounds the kept scores', () => {
    const scorers = new StreamScorers(jumpDetector, 2);
    scorers.score('a', [{ t: 1, value: 0 }, { t: 2, value: 100 }, { t: 3, value: 100 }]);
    scorers.score('b', [{ t: 1, value: 50 }]);
    expect(scorers.recent('a', 0)).toEqual([{ t: 2, value: 1 }, { t: 3, value: 0 }]);
    expect(scorers.recent('b', 0)).toEqual([{ t: 1, value: 0 }]);
    expect(scorers.keys().sort()).toEqual(['a', 'b']);
  });

  it('skips non-finite values without advancing the stream', () => {
    const scorers = new StreamScorers(jumpDetector);
    expect(scorers.score('a', [{ t: 1, value: Number.NaN }, { t: 2, value: 5 }])).toEqual([{ t: 2, value: 0 }]);
  });
});
