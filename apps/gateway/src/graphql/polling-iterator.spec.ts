import { PollingIterator } from './polling-iterator';

describe('PollingIterator', () => {
  it('yields polled items in order, waits while polls are empty, and ends when the source says done', async () => {
    const polls = [{ items: [1, 2], done: false }, { items: [], done: false }, { items: [3], done: false }, { items: [4], done: true }];
    const it = new PollingIterator(async () => polls.shift()!, 5);
    const got: number[] = [];
    for await (const v of it) got.push(v);
    expect(got).toEqual([1, 2, 3, 4]);
    expect(polls).toEqual([]);
  });

  it('return() stops a stream that is waiting between empty polls, and it polls no more', async () => {
    let polled = 0;
    const it = new PollingIterator(async () => (polled++, { items: [], done: false }), 60_000);
    const pending = it.next();
    await new Promise((r) => setTimeout(r, 20));
    await it.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(polled).toBe(1);
  });
});
