import { EventEmitter } from 'node:events';
import { armShutdownDeadline } from './shutdown-deadline';

describe('armShutdownDeadline', () => {
  const setup = () => {
    const signals = new EventEmitter();
    const expired: Array<[string, number]> = [];
    const timers: Array<{ fn: () => void; ms: number; unrefd: boolean }> = [];
    const disarm = armShutdownDeadline(30_000, {
      signals,
      expire: (s, ms) => expired.push([s, ms]),
      setTimer: (fn, ms) => {
        const t = { fn, ms, unrefd: false };
        timers.push(t);
        return { unref: () => (t.unrefd = true) };
      },
    });
    return { signals, expired, timers, disarm };
  };

  it('starts one unref’d deadline at the first shutdown signal and expires with that signal', () => {
    const { signals, expired, timers } = setup();
    expect(timers).toHaveLength(0);
    signals.emit('SIGTERM');
    signals.emit('SIGINT'); // a second signal does not restart or add a deadline
    expect(timers).toEqual([expect.objectContaining({ ms: 30_000, unrefd: true })]);
    expect(expired).toEqual([]);
    timers[0].fn();
    expect(expired).toEqual([['SIGTERM', 30_000]]);
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT') + signals.listenerCount('SIGHUP') + signals.listenerCount('SIGQUIT')).toBe(0);
  });

  it('does nothing once disarmed, and ignores other signals', () => {
    const { signals, timers, disarm } = setup();
    signals.emit('SIGUSR2');
    expect(timers).toHaveLength(0);
    disarm();
    signals.emit('SIGTERM');
    expect(timers).toHaveLength(0);
  });
});
