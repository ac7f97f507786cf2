import { attemptGroupName, groupLimitsFor, isAttemptGroupName } from './attempt-limits';
import { oomMessage } from './resource-limiter.port';

describe('attempt limits', () => {
  it.each([
    // cpuMillis, memMb, headroom → quota µs per 100 ms, limit MB
    [200, 64, 25, 20_000, 80],
    [1500, 100, 0, 150_000, 100],
    [4, 10, 10, 1_000, 11], // the kernel's 1 ms minimum quota; 11 MB = ceil(10 × 1.1)
    [0, 0, 25, null, null], // not stated: not limited
  ])('cpu %d m, mem %d MB, headroom %d %% → quota %s µs, limit %s MB', (cpuMillis, memMb, memHeadroomPct, quota, limitMb) => {
    const l = groupLimitsFor({ cpuMillis, memMb }, { memHeadroomPct, pidsMax: 100 });
    expect(l).toEqual({ cpuQuotaUs: quota, memLimitMb: limitMb, memBytes: limitMb === null ? null : limitMb * 1_048_576, pidsMax: 100 });
  });

  it('names groups prefix-task-attempt, safe as a directory name, and recognises only its own', () => {
    expect(attemptGroupName('kairos', '6f1c0a4e-0000-4000-8000-000000000001', 2)).toBe('kairos-6f1c0a4e-0000-4000-8000-000000000001-2');
    expect(attemptGroupName('kairos', '../x y', 1)).toBe('kairos-.._x_y-1');
    expect(isAttemptGroupName('kairos', 'kairos-abc-3')).toBe(true);
    expect(isAttemptGroupName('kairos', 'kairosX-abc-3')).toBe(false);
    expect(isAttemptGroupName('kairos', 'kairos-abc')).toBe(false);
  });

  it('says which limit was exceeded and how it was made', () => {
    expect(oomMessage(80, 64, 25)).toBe('killed: memory limit of 80 MB exceeded (request 64 MB + 25% headroom)');
  });
});
