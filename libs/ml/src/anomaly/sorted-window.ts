/** Last `capacity` numbers kept both in arrival order and sorted, for O(log n + n) rolling quantiles. */
export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(x: number): void {
    if (this.count === this.capacity) {
      const old = this.ring[this.start];
      const at = this.lowerBound(old);
      this.sorted.copyWithin(at, at + 1, this.count);
      this.count--;
      this.ring[this.start] = x;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.ring[(this.start + this.count) % this.capacity] = x;
    }
    const at = this.lowerBound(x);
    this.sorted.copyWithin(at + 1, at, this.count);
    this.sorted[at] = x;
    this.count++;
  }

  /** Empirical q-quantile (nearest rank); 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const k = Math.min(this.count - 1, Math.max(0, Math.floor(q * this.count)));
    return this.sorted[k];
  }

  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
