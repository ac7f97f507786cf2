import { GroupBatcher } from './group-batcher';

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupBatcher', () => {
  it('flushes a lone item after one event-loop turn and groups the items that arrive during a flush', async () => {
    const flushes: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new GroupBatcher<number, number>(async (items) => {
      flushes.push(items);
      if (flushes.length === 1) await new Promise<void>((r) => (release = r));
      return items.map((i) => i * 10);
    });
    const first = batcher.add(1);
    await tick();
    expect(flushes).toEqual([[1]]);
    const rest = [2, 3, 4].map((i) => batcher.add(i));
    await tick();
    expect(flushes).toEqual([[1]]); // still waiting on the first round trip
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(flushes).toEqual([[1], [2, 3, 4]]);
  });

  it('groups the items added in the same turn, capped at maxBatch', async () => {
    const sizes: number[] = [];
    const batcher = new GroupBatcher<number, number>(async (items) => {
      sizes.push(items.length);
      await tick();
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => batcher.add(i)));
    expect(sizes).toEqual([2, 2, 2]);
  });

  it('retries a failed batch item by item so only the bad item fails', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const batcher = new GroupBatcher<number, string>(async (items) => {
      calls++;
      if (calls === 1) await new Promise<void>((r) => (release = r));
      if (items.includes(13)) throw new Error('bad item 13');
      return items.map(String);
    });
    const warm = batcher.add(0);
    await tick();
    const results = [12, 13, 14].map((i) => batcher.add(i).then((v) => ({ ok: v }), (e: Error) => ({ err: e.message })));
    release();
    await warm;
    expect(await Promise.all(results)).toEqual([{ ok: '12' }, { err: 'bad item 13' }, { ok: '14' }]);
  });

  it('rejects a flush that returns the wrong number of results', async () => {
    const batcher = new GroupBatcher<number, number>(async () => []);
    await expect(batcher.add(1)).rejects.toThrow('flush returned 0 results for 1 items');
  });

  it('rejects a bad maxBatch', () => {
    expect(() => new GroupBatcher(async (x: number[]) => x, 0)).toThrow('maxBatch must be a positive integer, got 0');
  });

  it('with concurrency 2, items arriving during a flush go out in a second flush at once, never a third', async () => {
    const releases: Array<() => void> = [];
    const flushes: number[][] = [];
    let open = 0;
    let maxOpen = 0;
    const batcher = new GroupBatcher<number, number>(
      async (items) => {
        flushes.push(items);
        maxOpen = Math.max(maxOpen, ++open);
        await new Promise<void>((r) => releases.push(r));
        open--;
        return items.map((i) => -i);
      },
      256,
      2,
    );
    const a = batcher.add(1);
    await tick();
    const b = [2, 3].map((i) => batcher.add(i));
    await tick();
    expect(flushes).toEqual([[1], [2, 3]]); // the second went out while the first is in flight
    const c = batcher.add(4);
    await tick();
    expect(flushes).toHaveLength(2); // both drains busy: 4 waits
    releases[0]();
    expect(await a).toBe(-1);
    await tick();
    await tick();
    expect(flushes).toEqual([[1], [2, 3], [4]]);
    releases[1]();
    releases[2]();
    expect(await Promise.all([...b, c])).toEqual([-2, -3, -4]);
    expect(maxOpen).toBe(2);
  });
});

