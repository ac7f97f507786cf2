import type { ConcurrencyRule } from '@kairos/contracts';
import { CLOSED_BREAKER, type BreakerState } from './circuit-breaker.state';
import { decideConcurrency, type ActiveRun } from './concurrency.policy';
import { decideTick, type TickDecision } from './tick-decision.policy';

const run: ActiveRun = { tickKey: 's@prev', scheduledAtMs: 0, shardKeys: ['s@prev#0'] };

describe('decideConcurrency', () => {
  it.each<[ConcurrencyRule, ActiveRun[], ReturnType<typeof decideConcurrency>]>([
    ['allow', [], { kind: 'fire' }],
    ['allow', [run], { kind: 'fire' }],
    ['forbid', [], { kind: 'fire' }],
    ['forbid', [run], { kind: 'skip', detail: 'previous run still active (tick s@prev)' }],
    ['replace', [], { kind: 'fire' }],
    ['replace', [run], { kind: 'replace', cancel: [run] }],
  ])('%s with %j active', (rule, active, expected) => {
    expect(decideConcurrency(rule, active)).toEqual(expected);
  });
});

describe('decideTick', () => {
  const breaker = { failureThreshold: 2, cooldownMs: 1_000 };
  const open: BreakerState = { status: 'open', consecutiveFailures: 2, openedAtMs: 0 };
  const half: BreakerState = { status: 'half_open', consecutiveFailures: 2, trialTickKey: 's@t' };

  it.each<[string, { paused?: boolean; concurrency?: ConcurrencyRule; breaker?: BreakerState; active?: ActiveRun[]; now?: number }, TickDecision, BreakerState]>([
    ['fires by default', {}, { kind: 'fire', trial: false }, CLOSED_BREAKER],
    ['paused skips', { paused: true }, { kind: 'skip', reason: 'paused', detail: 'schedule paused' }, CLOSED_BREAKER],
    ['paused wins over an open breaker', { paused: true, breaker: open }, { kind: 'skip', reason: 'paused', detail: 'schedule paused' }, open],
    ['open breaker skips with circuit_open and cancels nothing', { concurrency: 'replace', active: [run], breaker: open, now: 500 }, { kind: 'skip', reason: 'circuit_open', detail: 'open after 2 consecutive failures until 1970-01-01T00:00:01.000Z' }, open],
    ['half-open with its trial running skips', { breaker: half, now: 5_000 }, { kind: 'skip', reason: 'circuit_open', detail: 'half-open: trial tick s@t still running' }, half],
    ['cooled-down breaker fires the trial and half-opens', { breaker: open, now: 1_000 }, { kind: 'fire', trial: true }, { status: 'half_open', consecutiveFailures: 2, trialTickKey: 's@now' }],
    ['forbid skips while a run is active and does not spend the trial', { concurrency: 'forbid', active: [run], breaker: open, now: 1_000 }, { kind: 'skip', reason: 'previous_run_active', detail: 'previous run still active (tick s@prev)' }, open],
    ['replace cancels the active run then fires', { concurrency: 'replace', active: [run] }, { kind: 'replace', cancel: [run], trial: false }, CLOSED_BREAKER],
    ['allow fires beside an active run', { concurrency: 'allow', active: [run] }, { kind: 'fire', trial: false }, CLOSED_BREAKER],
  ])('%s', (_name, c, decision, nextBreaker) => {
    const out = decideTick({
      schedule: { paused: c.paused ?? false, concurrency: c.concurrency ?? 'allow', circuitBreaker: breaker },
      tick: { key: 's@now' },
      breaker: c.breaker ?? CLOSED_BREAKER,
      active: c.active ?? [],
      nowMs: c.now ?? 0,
    });
    expect(out).toEqual({ decision, breaker: nextBreaker });
  });
});
