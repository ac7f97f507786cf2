import { expandGrid, NAB_FOLD_GRIDS, nabFeedInfo, nabStreamInfo } from './nab.bench';

describe('nabStreamInfo', () => {
  it("gives the file's min/max and NAB's probationary period, min(floor(0.15 × rows), 750)", () => {
    expect(nabStreamInfo([3, -2, 7, 1])).toEqual({ inputMin: -2, inputMax: 7, probationaryPeriod: 0 });
    expect(nabStreamInfo(Array.from({ length: 1127 }, (_, i) => i)).probationaryPeriod).toBe(169);
    expect(nabStreamInfo(Array.from({ length: 22695 }, (_, i) => i)).probationaryPeriod).toBe(750);
  });
});

describe('nabFeedInfo', () => {
  const values = Array.from({ length: 2000 }, (_, i) => i % 7);
  it('harness: range and probationary period; causal: the probationary period only; blind: nothing', () => {
    expect(nabFeedInfo(values, 'harness')).toEqual({ inputMin: 0, inputMax: 6, probationaryPeriod: 300 });
    expect(nabFeedInfo(values, 'causal')).toEqual({ probationaryPeriod: 300 });
    expect(nabFeedInfo(values, 'blind')).toEqual({});
  });
});

describe('expandGrid', () => {
  it('lists every combination in declaration order, the last option varying fastest', () => {
    expect(expandGrid({ a: [1, 2], b: ['x', 'y', 'z'] })).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 2, b: 'z' },
    ]);
    expect(expandGrid({})).toEqual([{}]);
    expect(() => expandGrid({ a: [] })).toThrow('--grid: option "a" needs a non-empty list of values');
  });

  it('declares 12 ARTime candidates for the causal and blind feeds and none for the harness', () => {
    expect(expandGrid(NAB_FOLD_GRIDS.artime.causal!)).toHaveLength(12);
    expect(expandGrid(NAB_FOLD_GRIDS.artime.blind!)).toHaveLength(12);
    expect(NAB_FOLD_GRIDS.artime.harness).toBeUndefined();
  });
});
