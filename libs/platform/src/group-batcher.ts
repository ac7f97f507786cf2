/**
 * Group commit for concurrent callers: each `add` resolves with its own result, but the items that
 * arrive while a flush is in flight are written together by the next flush (one round trip for the
 * lot). There is no timer: a flush starts after one turn of the event loop (setImmediate), so the
 * requests already received join it — with an embedded database that answers without yielding, that
 * turn is the only chance to batch — and under load a batch is whatever arrived during one round trip
 * (at most `maxBatch`).
 *
 * If a flush of several items throws, each item is retried alone, so one bad item fails only its
 * own caller.
 *
 * `concurrency` (default 1) flushes may be in flight at once, each with its own items (for a store
 * whose writes of disjoint items can run on separate connections): the items arriving while one
 * flush is out go to the next free drain instead of waiting for it.
 */
export class GroupBatcher<I, O> {
  private queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  /** Drains running (each at most one flush in flight). */
  private draining = 0;
  /** Drains that have not yet taken their first items (they take them after one event-loop turn). */
  private starting = 0;

  constructor(
    /** Writes the items and returns one result per item, in order. */
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 256,
    private readonly concurrency = 1,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // A new drain only when none is about to take the queue anyway.
      if (this.draining < this.concurrency && this.starting === 0) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining++;
    this.starting++;
    let first = true;
    try {
      while (this.queue.length) {
        await new Promise((r) => setImmediate(r));
        if (first) {
          first = false;
          this.starting--;
        }
        const batch = this.queue.splice(0, this.maxBatch);
        if (batch.length === 0) break;
        try {
          const out = await this.flush(batch.map((b) => b.item));
          if (out.length !== batch.length) throw new Error(`flush returned ${out.length} results for ${batch.length} items`);
          batch.forEach((b, i) => b.resolve(out[i]));
        } catch (err) {
          if (batch.length === 1) {
            batch[0].reject(err);
            continue;
          }
          for (const b of batch) {
            try {
              const [one] = await this.flush([b.item]);
              b.resolve(one);
            } catch (e) {
              b.reject(e);
            }
          }
        }
      }
    } finally {
      if (first) this.starting--;
      this.draining--;
    }
  }
}
