import type { DecisionRecord } from '@kairos/contracts';

export interface DecisionBufferOptions {
  /** Writes one batch (one multi-row insert); a failure is reported to `onError` and the batch dropped. */
  readonly write: (records: readonly DecisionRecord[]) => Promise<void>;
  readonly onError: (err: unknown, records: number) => void;
  /** Longest a record waits before its batch is written (default 500 ms). */
  readonly flushMs?: number;
  /** A batch is written at once when it reaches this many records (default 500). */
  readonly maxBatch?: number;
  /** Records held at most while a write is slow; beyond it new ones are dropped and counted (default 20,000). */
  readonly maxPending?: number;
}

/**
 * Decision records that are not made inside a scheduling pass (retry / fail-over after an attempt ends,
 * repairs) are buffered and written in batches on a timer, never in the path that made the decision:
 * `push` only appends. One write at a time; `close` writes what is left.
 */
export class DecisionBuffer {
  private pending: DecisionRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Records dropped because the buffer was full (a stuck database). */
  dropped = 0;

  constructor(private readonly o: DecisionBufferOptions) {}

  push(record: DecisionRecord): void {
    if (this.closed) return;
    if (this.pending.length >= (this.o.maxPending ?? 20_000)) {
      this.dropped++;
      return;
    }
    this.pending.push(record);
    if (this.pending.length >= (this.o.maxBatch ?? 500)) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.o.flushMs ?? 500);
      this.timer.unref();
    }
  }

  /** Writes what is pending now (after any write in progress). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return this.writing;
    this.writing = this.writing.then(() => this.o.write(batch).catch((err: unknown) => this.o.onError(err, batch.length)));
    return this.writing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}
