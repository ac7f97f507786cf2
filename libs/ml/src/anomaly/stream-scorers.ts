import type { StreamingDetector } from './anomaly-detector.types';

export interface TimedValue {
  /** Seconds. */
  t: number;
  value: number;
}

interface Stream {
  detector: StreamingDetector;
  lastT: number;
  /** Points scored since the stream was first seen. */
  seen: number;
  /** Scores of the newest points, oldest first (bounded by `keep`). */
  scores: TimedValue[];
}

/**
 * One stateful streaming detector per metric stream (e.g. `node-a/cpuPercent`). Callers may hand the
 * same overlapping window of samples every round: only points newer than the stream's last one are
 * scored, so each point is scored exactly once, in time order, from its past only.
 */
export class StreamScorers {
  private readonly streams = new Map<string, Stream>();

  constructor(
    /** Builds the detector of a new stream; receives the stream's key. */
    private readonly createDetector: (key: string) => StreamingDetector,
    private readonly keep = 4_096,
  ) {}

  /** Scores the points of `series` newer than the last one seen on `key`; returns those scores. */
  score(key: string, series: readonly TimedValue[]): TimedValue[] {
    let s = this.streams.get(key);
    if (!s) {
      s = { detector: this.createDetector(key), lastT: -Infinity, seen: 0, scores: [] };
      this.streams.set(key, s);
    }
    const fresh: TimedValue[] = [];
    for (const p of series) {
      if (!(p.t > s.lastT) || !Number.isFinite(p.value)) continue;
      fresh.push({ t: p.t, value: s.detector.score(p.t * 1000, p.value) });
      s.lastT = p.t;
    }
    s.seen += fresh.length;
    s.scores.push(...fresh);
    if (s.scores.length > this.keep) s.scores.splice(0, s.scores.length - this.keep);
    return fresh;
  }

  /** Scores of `key` at or after `sinceT` (seconds), oldest first. */
  recent(key: string, sinceT: number): TimedValue[] {
    return (this.streams.get(key)?.scores ?? []).filter((p) => p.t >= sinceT);
  }

  /** Points of `key` scored since the stream was first seen (0 for an unknown stream). */
  seen(key: string): number {
    return this.streams.get(key)?.seen ?? 0;
  }

  keys(): string[] {
    return [...this.streams.keys()];
  }
}
