import type { ConsumerStatus } from '@kairos/bus';
import { judgeOutbox, silentGroups } from './readiness';

const limits = { maxBacklog: 100, maxAgeMs: 5_000 };
const now = Date.parse('2026-11-30T01:00:00Z');

describe('judgeOutbox', () => {
  it('up when the backlog is small and young (boundaries included)', () => {
    expect(judgeOutbox('gateway', { backlog: 0, oldestAt: null }, now, limits)).toEqual({ status: 'up', details: { producer: 'gateway', backlog: 0, oldestAgeMs: 0 } });
    expect(judgeOutbox('gateway', { backlog: 100, oldestAt: new Date(now - 5_000) }, now, limits).status).toBe('up');
  });
  it('degraded above either threshold, naming the variable', () => {
    const old = judgeOutbox('executor', { backlog: 3, oldestAt: new Date(now - 5_001) }, now, limits);
    expect(old).toMatchObject({ status: 'degraded', details: { oldestAgeMs: 5_001 } });
    expect(old.details!.reason).toContain('HEALTH_OUTBOX_MAX_AGE_MS 5000');
    const big = judgeOutbox('executor', { backlog: 101, oldestAt: new Date(now) }, now, limits);
    expect(big.details!.reason).toBe('101 unpublished events (HEALTH_OUTBOX_MAX_BACKLOG 100)');
  });
});

describe('silentGroups', () => {
  const g = (over: Partial<ConsumerStatus>): ConsumerStatus => ({ group: 'g', topics: [], state: 'running', crashes: 0, lastError: null, since: new Date(now - 60_000).toISOString(), ...over });
  it('names running Kafka groups silent longer than the limit', () => {
    const groups = [
      g({ group: 'fresh', lastContactAt: new Date(now - 1_000).toISOString() }),
      g({ group: 'silent', lastContactAt: new Date(now - 31_000).toISOString() }),
      g({ group: 'never', lastContactAt: null }),
      g({ group: 'in-process' }),
      g({ group: 'joining', state: 'joining', lastContactAt: null }),
    ];
    expect(silentGroups(groups, now, 30_000)).toEqual([
      { group: 'silent', silentMs: 31_000 },
      { group: 'never', silentMs: 60_000 },
    ]);
  });
});
