// UTC offsets of an IANA zone and the instants they change, found through Intl (the runtime's tz
// database) and cached per 32-day chunk. Lets cron planning use croner's cheap fixed-offset mode
// whenever no offset change lies between two instants (see CronTimeline).

const CHUNK_MS = 32 * 86_400_000;
/**
 * Offsets are sampled this often and each change is bisected to the millisecond. Two changes
 * closer than this that cancel out would be missed; no zone in the tz database has them (its
 * closest pairs are weeks apart), and planning falls back to croner's zoned mode whenever the
 * table and an endpoint disagree.
 */
const SAMPLE_MS = 6 * 3_600_000;

interface Chunk {
  readonly startOffsetMin: number;
  /** Instants (ms) where the offset changes within the chunk, with the offset from then on. */
  readonly changes: readonly { readonly atMs: number; readonly offsetMin: number }[];
}

export class ZoneOffsets {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly chunks = new Map<number, Chunk>();

  constructor(readonly timeZone: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The zone's UTC offset in minutes at `ms`, straight from Intl (whole seconds). */
  offsetFromIntl(ms: number): number {
    const at = Math.floor(ms / 1_000) * 1_000;
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const local = Date.UTC(p['year'] as number, (p['month'] as number) - 1, p['day'] as number, p['hour'] as number, p['minute'] as number, p['second'] as number);
    return Math.round((local - at) / 60_000);
  }

  /** The offset at `ms`, from the cached table. */
  offsetAt(ms: number): number {
    const c = this.chunk(Math.floor(ms / CHUNK_MS));
    let off = c.startOffsetMin;
    for (const ch of c.changes) {
      if (ch.atMs > ms) break;
      off = ch.offsetMin;
    }
    return off;
  }

  /** True when the offset changes at some instant in (fromMs, toMs]. */
  changesBetween(fromMs: number, toMs: number): boolean {
    if (toMs <= fromMs) return false;
    for (let k = Math.floor(fromMs / CHUNK_MS); k <= Math.floor(toMs / CHUNK_MS); k++) {
      for (const ch of this.chunk(k).changes) if (ch.atMs > fromMs && ch.atMs <= toMs) return true;
    }
    return false;
  }

  private chunk(k: number): Chunk {
    const cached = this.chunks.get(k);
    if (cached !== undefined) return cached;
    const start = k * CHUNK_MS;
    const startOffsetMin = this.offsetFromIntl(start);
    const changes: { atMs: number; offsetMin: number }[] = [];
    let prevT = start;
    let prevOff = startOffsetMin;
    // Samples at start + j·6 h up to the chunk's end (the next chunk's start): a change found in the
    // last interval may land exactly on the end; it is kept here, where range queries look first.
    for (let j = 1; j <= CHUNK_MS / SAMPLE_MS; j++) {
      const t = start + j * SAMPLE_MS;
      const off = this.offsetFromIntl(t);
      if (off !== prevOff) {
        // Bisect (prevT, t] (whole seconds) to the first second with the new offset.
        let lo = prevT;
        let hi = t;
        while (hi - lo > 1_000) {
          const mid = Math.floor((lo + hi) / 2_000) * 1_000;
          if (this.offsetFromIntl(mid) === prevOff) lo = mid;
          else hi = mid;
        }
        changes.push({ atMs: hi, offsetMin: off });
        prevOff = off;
      }
      prevT = t;
    }
    const c = { startOffsetMin, changes };
    this.chunks.set(k, c);
    return c;
  }
}

const shared = new Map<string, ZoneOffsets>();

/** One table per zone per process: every schedule in Europe/Berlin shares it. */
export function zoneOffsets(timeZone: string): ZoneOffsets {
  let z = shared.get(timeZone);
  if (z === undefined) {
    z = new ZoneOffsets(timeZone);
    shared.set(timeZone, z);
  }
  return z;
}
