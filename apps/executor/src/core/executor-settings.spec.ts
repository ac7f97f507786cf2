import { loadConfig } from '@kairos/platform';
import type { AppIdentity } from '@kairos/runtime';
import { executorSettings } from './executor-settings';

const id = { instanceId: 'e1' } as AppIdentity;

describe('executorSettings', () => {
  it('claims and decides further ahead on the embedded database (one executor) than with a server', () => {
    const embedded = executorSettings(id, loadConfig({}));
    expect([embedded.claimAheadMs, embedded.scheduleDecideAheadMs]).toEqual([1_000, 2_000]);
    const server = executorSettings(id, loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/k' }));
    expect([server.claimAheadMs, server.scheduleDecideAheadMs]).toEqual([250, 1_000]);
  });

  it('takes CLAIM_AHEAD_MS and SCHEDULE_DECIDE_AHEAD_MS as set, 0 included', () => {
    const s = executorSettings(id, loadConfig({ CLAIM_AHEAD_MS: '0', SCHEDULE_DECIDE_AHEAD_MS: '500' }));
    expect([s.claimAheadMs, s.scheduleDecideAheadMs]).toEqual([0, 500]);
    expect(() => loadConfig({ CLAIM_AHEAD_MS: '2001' })).toThrow(/CLAIM_AHEAD_MS/);
  });
});
