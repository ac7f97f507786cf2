import type { DecisionRecord } from '@kairos/contracts';
import { DecisionBuffer } from './decision-buffer';

const rec = (n: number) => ({ decisionId: `d${n}` }) as unknown as DecisionRecord;

describe('DecisionBuffer', () => {
  afterEach(() => jest.useRealTimers());

  it('writes on the timer, in one batch, not in push', async () => {
    jest.useFakeTimers();
    const batches: string[][] = [];
    const b = new DecisionBuffer({ write: async (r) => void batches.push(r.map((x) => x.decisionId)), onError: () => undefined, flushMs: 100 });
    b.push(rec(1));
    b.push(rec(2));
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(99);
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(1);
    await Promise.resolve();
    await b.flush();
    expect(batches).toEqual([['d1', 'd2']]);
  });

  it('writes at once when a batch is full, one write at a time; reports a failed write and carries on; close writes the rest', async () => {
    const batches: string[][] = [];
    const errors: number[] = [];
    let fail = true;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const b = new DecisionBuffer({
      write: async (r) => {
        await gate;
        if (fail) {
          fail = false;
          throw new Error('db down');
        }
        batches.push(r.map((x) => x.decisionId));
      },
      onError: (_e, n) => void errors.push(n),
      maxBatch: 2,
      maxPending: 3,
      flushMs: 60_000,
    });
    b.push(rec(1));
    b.push(rec(2)); // full: written (and fails)
    b.push(rec(3));
    b.push(rec(4)); // full: queued behind the first write
    b.push(rec(5));
    b.push(rec(6));
    b.push(rec(7));
    b.push(rec(8)); // 5+6 and 7+8 fill batches too: each waits for the write before it
    release();
    await b.close();
    b.push(rec(9)); // after close: ignored
    expect(errors).toEqual([2]);
    expect(batches).toEqual([['d3', 'd4'], ['d5', 'd6'], ['d7', 'd8']]);
    expect(b.dropped).toBe(0);
  });

  it('counts what it drops when writes cannot keep up', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const written: number[] = [];
    const b = new DecisionBuffer({ write: async (r) => {
      await gate;
      written.push(r.length);
    }, onError: () => undefined, maxBatch: 1000, maxPending: 3, flushMs: 60_000 });
    for (let i = 0; i < 5; i++) b.push(rec(i));
    expect(b.dropped).toBe(2);
    release();
    await b.close();
    expect(written).toEqual([3]);
  });
});
