import { Command } from 'commander';
import { SERVED_DURATION_MODEL } from '@kairos/ml';
import { benchModelConfig, DURATION_BENCH_DEFAULTS, register } from './duration.bench';

describe('bench duration measures the served model', () => {
  it('its command-line defaults are SERVED_DURATION_MODEL (what the analyzer trains), settings and feature groups alike', () => {
    const bench = new Command('bench');
    register(bench);
    const cmd = bench.commands.find((c) => c.name() === 'duration') as Command;
    const opts = cmd.opts() as Parameters<typeof benchModelConfig>[0];
    expect({ trees: opts.trees, upperTrees: opts.upperTrees, dropGroups: opts.dropGroups, weightPower: opts.weightPower }).toEqual(DURATION_BENCH_DEFAULTS);
    expect(benchModelConfig(opts)).toEqual(SERVED_DURATION_MODEL);
  });

  it('changes only what an option names', () => {
    const c = benchModelConfig({ ...DURATION_BENCH_DEFAULTS, dropGroups: 'none', upperTrees: String(2 * (SERVED_DURATION_MODEL.upper.nTrees as number)) });
    expect(c.droppedGroups).toEqual([]);
    expect(c.central).toEqual(SERVED_DURATION_MODEL.central);
    expect(c.upper.learningRate).toBeCloseTo((SERVED_DURATION_MODEL.upper.learningRate as number) / 2);
    expect(() => benchModelConfig({ ...DURATION_BENCH_DEFAULTS, dropGroups: 'nope' })).toThrow(/unknown group "nope"/);
  });
});
