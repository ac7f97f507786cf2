import { BaselineRow, checkTargets, chooseConformal, formatTable, strongestBaselines, summariseSeeds } from './duration-report';

const row = (name: string, family: BaselineRow['family'], val: number, test: number): BaselineRow => ({
  name,
  family,
  validation: { n: 1, mae: val, mape: 0 },
  test: { n: 1, mae: test, mape: 0 },
});

describe('duration report', () => {
  it('chooses every reference baseline on validation, never on test', () => {
    const rows = [
      row('median, same shape', 'median-shape', 250, 110),
      row('median, same job', 'median-job', 240, 120),
      row('MA-global k=5', 'ma-global', 390, 240),
      row('MA-global k=100', 'ma-global', 350, 260), // better on validation, worse on test
      row('MA-shape k=20', 'ma-shape', 230, 121),
    ];
    const s = strongestBaselines(rows);
    expect(s.strongest.name).toBe('MA-shape k=20');
    expect(s.strongerMedian.name).toBe('median, same job');
    expect(s.maGlobal.name).toBe('MA-global k=100');
  });

  it('summarises seeds by worst, mean and spread', () => {
    expect(summariseSeeds([98, 101, 95])).toEqual({ perSeed: [98, 101, 95], worst: 101, mean: 98, spread: 6 });
  });

  it('checks the issue-16 targets with the worst seed', () => {
    const checks = checkTargets({ maeWorst: 90, strongerMedianMae: 112.9, maGlobalMae: 198.6, coverageWorst: 0.879, coverageBest: 0.9, pinballWorst: 45, shapeQuantilePinball: 57.9 });
    expect(checks.map((c) => [c.what, Number(c.measured.toFixed(3)), c.met])).toEqual([
      ['MAE / stronger median baseline', 0.797, true],
      ['MAE / MA-global', 0.453, false],
      ['p90 coverage (every seed)', 0.879, false],
      ['p90 pinball / same-shape empirical p90', 0.777, true],
    ]);
  });

  it('picks conformal settings inside the coverage band with the lowest pinball, else the closest coverage', () => {
    const grid = [
      { window: 500, coverage: 0.93, pinball: 100 },
      { window: 1000, coverage: 0.9, pinball: 120 },
      { window: 2000, coverage: 0.885, pinball: 110 },
    ];
    expect(chooseConformal(grid, 0.88, 0.92).window).toBe(2000);
    expect(chooseConformal(grid.slice(0, 1).concat([{ window: 9, coverage: 0.8, pinball: 1 }]), 0.88, 0.92).window).toBe(500);
  });

  it('formats a fixed-width table', () => {
    expect(formatTable([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\nccc  d\n');
  });
});
