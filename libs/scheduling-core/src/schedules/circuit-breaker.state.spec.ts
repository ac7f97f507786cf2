import { CLOSED_BREAKER, admitTick, recordTickOutcome, type BreakerOutcome, type BreakerState } from './circuit-breaker.state';

const cfg = { failureThreshold: 3, cooldownMs: 10_000 };
const open = (openedAtMs: number, consecutiveFailures = 3): BreakerState => ({ status: 'open', consecutiveFailures, openedAtMs });
const half = (trialTickKey: string, consecutiveFailures = 3): BreakerState => ({ status: 'half_open', consecutiveFailures, trialTickKey });

describe('admitTick', () => {
  it.each<[string, BreakerState, number, ReturnType<typeof admitTick>]>([
    ['closed admits', CLOSED_BREAKER, 0, { admitted: true, trial: false, next: CLOSED_BREAKER }],
    ['closed with failures admits', { status: 'closed', consecutiveFailures: 2 }, 0, { admitted: true, trial: false, next: { status: 'closed', consecutiveFailures: 2 } }],
    ['open during cool-down rejects', open(1_000), 10_999, { admitted: false, detail: 'open after 3 consecutive failures until 1970-01-01T00:00:11.000Z', next: open(1_000) }],
    ['open after cool-down admits the trial and half-opens', open(1_000), 11_000, { admitted: true, trial: true, next: half('t') }],
    ['half-open with the trial running rejects', half('t0'), 50_000, { admitted: false, detail: 'half-open: trial tick t0 still running', next: half('t0') }],
  ])('%s', (_name, state, atMs, expected) => {
    expect(admitTick(state, cfg, 't', atMs)).toEqual(expected);
  });

  it('without a breaker config every tick is admitted', () => {
    expect(admitTick(open(0), undefined, 't', 1)).toEqual({ admitted: true, trial: false, next: open(0) });
  });
});

describe('recordTickOutcome', () => {
  it.each<[string, BreakerState, string, BreakerOutcome, BreakerState]>([
    ['closed: a failure counts', CLOSED_BREAKER, 't', 'failed', { status: 'closed', consecutiveFailures: 1 }],
    ['closed: the K-th consecutive failure opens', { status: 'closed', consecutiveFailures: 2 }, 't', 'failed', open(500)],
    ['closed: a success resets the count', { status: 'closed', consecutiveFailures: 2 }, 't', 'succeeded', CLOSED_BREAKER],
    ['closed: a cancellation changes nothing', { status: 'closed', consecutiveFailures: 2 }, 't', 'cancelled', { status: 'closed', consecutiveFailures: 2 }],
    ['open: late outcomes of older ticks change nothing', open(100), 'old', 'succeeded', open(100)],
    ['half-open: the trial succeeding closes', half('trial'), 'trial', 'succeeded', CLOSED_BREAKER],
    ['half-open: the trial failing reopens with a new cool-down', half('trial'), 'trial', 'failed', open(500, 4)],
    ['half-open: the trial cancelled reopens without counting a failure', half('trial'), 'trial', 'cancelled', open(500, 3)],
    ['half-open: another tick’s outcome changes nothing', half('trial'), 'old', 'failed', half('trial')],
  ])('%s', (_name, state, key, outcome, expected) => {
    expect(recordTickOutcome(state, cfg, key, outcome, 500)).toEqual(expected);
  });

  it('walks closed → open → half-open → open → half-open → closed', () => {
    let s: BreakerState = CLOSED_BREAKER;
    for (let i = 0; i < 3; i++) s = recordTickOutcome(s, cfg, `t${i}`, 'failed', 1_000 + i);
    expect(s).toEqual(open(1_002));
    expect(admitTick(s, cfg, 't3', 5_000).admitted).toBe(false);
    const trial = admitTick(s, cfg, 't4', 11_002);
    expect(trial).toMatchObject({ admitted: true, trial: true });
    s = trial.next;
    s = recordTickOutcome(s, cfg, 't4', 'failed', 12_000);
    expect(s).toEqual(open(12_000, 4));
    expect(admitTick(s, cfg, 't5', 21_999).admitted).toBe(false);
    const trial2 = admitTick(s, cfg, 't6', 22_000);
    s = recordTickOutcome(trial2.next, cfg, 't6', 'succeeded', 23_000);
    expect(s).toEqual(CLOSED_BREAKER);
  });
});
