/**
 * An async iterator fed by polling: `poll()` returns the next items (possibly none) and whether the
 * stream is over; items are yielded in the order polls return them. `return()` (a client that
 * unsubscribes or disconnects) stops it at once, even while it waits between polls.
 */
export class PollingIterator<T> implements AsyncIterableIterator<T> {
  private buffer: T[] = [];
  private ended = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly poll: () => Promise<{ items: readonly T[]; done: boolean }>,
    private readonly intervalMs: number,
  ) {}

  async next(): Promise<IteratorResult<T>> {
    while (!this.buffer.length && !this.ended) {
      const { items, done } = await this.poll();
      this.buffer.push(...items);
      if (done) this.ended = true;
      else if (!this.buffer.length) await this.sleep();
    }
    if (this.buffer.length) return { value: this.buffer.shift() as T, done: false };
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<T>> {
    this.ended = true;
    this.buffer = [];
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, this.intervalMs);
    });
  }
}
