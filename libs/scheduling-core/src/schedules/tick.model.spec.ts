import { applyShardRunEvent, firedTickRecord, shardStatusOf, skippedTickRecord, tickOutcomeOf, type TickRecord } from './tick.model';

const tick = { scheduleId: 's', key: 's@t', scheduledAtMs: 1_000, fireAtMs: 1_200, jitterMs: 200, catchUp: false };

describe('tick history records', () => {
  it('a skipped tick records its reason and no run', () => {
    expect(skippedTickRecord(tick, 'circuit_open', 'open')).toMatchObject({ outcome: 'skipped', skipReason: 'circuit_open', detail: 'open', fireAtMs: 1_200, shards: [], delayMs: null });
  });

  it('delay is the first shard’s start − scheduled time; the outcome waits for every shard', () => {
    let r: TickRecord = firedTickRecord(tick, 1_201, ['a', 'b'], false);
    expect(r.outcome).toBe('fired');
    r = applyShardRunEvent(r, { type: 'started', runId: 'b', atMs: 1_230 });
    expect(r).toMatchObject({ outcome: 'running', startedAtMs: 1_230, delayMs: 230 });
    r = applyShardRunEvent(r, { type: 'started', runId: 'a', atMs: 1_260 });
    expect(r.delayMs).toBe(230);
    r = applyShardRunEvent(r, { type: 'finished', runId: 'a', atMs: 2_000, status: 'succeeded' });
    expect(r.outcome).toBe('running');
    r = applyShardRunEvent(r, { type: 'finished', runId: 'b', atMs: 2_500, status: 'timed_out' });
    expect(r).toMatchObject({ outcome: 'failed', finishedAtMs: 2_500 });
    expect(applyShardRunEvent(r, { type: 'started', runId: 'zzz', atMs: 1 })).toBe(r);
  });

  it.each([
    [['succeeded', 'succeeded'], 'succeeded'],
    [['succeeded', 'failed'], 'failed'],
    [['cancelled', 'failed'], 'failed'],
    [['cancelled', 'succeeded'], 'cancelled'],
    [['running', 'succeeded'], 'running'],
    [['queued', 'queued'], 'fired'],
  ] as const)('shards %j → %s', (statuses, outcome) => {
    expect(tickOutcomeOf(statuses.map((status, i) => ({ runId: String(i), status, startedAtMs: null, finishedAtMs: null })))).toBe(outcome);
  });

  it('maps task statuses onto shard statuses', () => {
    expect(shardStatusOf('upstream_failed')).toBe('failed');
    expect(shardStatusOf('timed_out')).toBe('failed');
    expect(shardStatusOf('cancelled')).toBe('cancelled');
  });
});
