import { ManualTimer } from './manual-timer';
import { TickWheel, type DueEntry } from './tick-wheel';

function wheelWith(timer: ManualTimer, maxBatch?: number): { wheel: TickWheel<string>; batches: { at: number; items: string[] }[] } {
  const batches: { at: number; items: string[] }[] = [];
  const wheel = new TickWheel<string>(timer, (due: DueEntry<string>[], now) => batches.push({ at: now, items: due.map((d) => d.item) }), { maxBatch });
  return { wheel, batches };
}

describe('TickWheel', () => {
  it('fires each entry once, at its instant, in (time, insertion) order, with one timer', () => {
    const timer = new ManualTimer(0);
    const { wheel, batches } = wheelWith(timer);
    wheel.add(300, 'c');
    wheel.add(100, 'a');
    wheel.add(300, 'd');
    wheel.add(200, 'b');
    expect(timer.queued).toBe(2); // armed for 300, then re-armed earlier for 100 (the old one cancelled)
    timer.advanceTo(1_000);
    expect(batches).toEqual([
      { at: 100, items: ['a'] },
      { at: 200, items: ['b'] },
      { at: 300, items: ['c', 'd'] },
    ]);
    expect(wheel.size).toBe(0);
  });

  it('an entry added in the past fires on the next turn', () => {
    const timer = new ManualTimer(500);
    const { wheel, batches } = wheelWith(timer);
    wheel.add(100, 'late');
    timer.advanceBy(0);
    expect(batches).toEqual([{ at: 500, items: ['late'] }]);
  });

  it('hands a burst over in batches of at most maxBatch', () => {
    const timer = new ManualTimer(0);
    const { wheel, batches } = wheelWith(timer, 2);
    for (const x of ['a', 'b', 'c', 'd', 'e']) wheel.add(10, x);
    timer.advanceTo(10);
    expect(batches.map((b) => b.items)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('stop holds entries; resume fires what came due meanwhile', () => {
    const timer = new ManualTimer(0);
    const { wheel, batches } = wheelWith(timer);
    wheel.add(10, 'a');
    wheel.stop();
    timer.advanceTo(50);
    expect(batches).toEqual([]);
    wheel.resume();
    timer.advanceBy(0);
    expect(batches).toEqual([{ at: 50, items: ['a'] }]);
  });

  it('keeps firing after a handler throws', () => {
    const timer = new ManualTimer(0);
    const seen: string[] = [];
    const wheel = new TickWheel<string>(timer, (due) => {
      seen.push(...due.map((d) => d.item));
      if (due[0]?.item === 'boom') throw new Error('handler failed');
    });
    wheel.add(10, 'boom');
    wheel.add(20, 'next');
    expect(() => timer.advanceTo(10)).toThrow('handler failed');
    timer.advanceTo(20);
    expect(seen).toEqual(['boom', 'next']);
  });
});
