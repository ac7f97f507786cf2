/** Fixed-capacity ring buffer of numbers with O(1) running mean and variance. */
export class RollingWindow {
  private readonly buf: Float64Array;
  private start = 0;
  private count = 0;
  private sum = 0;
  private sumSq = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(x: number): void {
    if (this.count === this.capacity) {
      const old = this.buf[this.start];
      this.sum -= old;
      this.sumSq -= old * old;
      this.buf[this.start] = x;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.buf[(this.start + this.count) % this.capacity] = x;
      this.count++;
    }
    this.sum += x;
    this.sumSq += x * x;
  }

  /** k-th oldest element (0 = oldest). */
  at(k: number): number {
    return this.buf[(this.start + k) % this.capacity];
  }

  /** k-th newest element (0 = newest). */
  fromEnd(k: number): number {
    return this.buf[(this.start + this.count - 1 - k) % this.capacity];
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  std(): number {
    if (this.count < 2) return 0;
    const m = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSq / this.count - m * m));
  }
}
