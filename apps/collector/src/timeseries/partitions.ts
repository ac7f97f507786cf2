/**
 * Pure partition planning for the time-partitioned tables: which partitions must exist for a time
 * range, and which are past their retention. Partitions are [start, start + span) with start a
 * multiple of span since the epoch (UTC), named `<table>_p<yyyymmdd of start>`.
 */
export const DAY_MS = 86_400_000;

export interface PartitionedTable {
  table: 'metric_points' | 'metric_rollups_1m' | 'metric_rollups_5m' | 'metric_rollups_1h';
  spanMs: number;
  /** Rows older than this may go; a partition is dropped once all of it is older than retention + one span. */
  retentionMs: number;
}

export interface Partition {
  table: string;
  name: string;
  fromMs: number;
  toMs: number;
}

export function partitionName(table: string, fromMs: number): string {
  return `${table}_p${new Date(fromMs).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

export function partitionFor(t: PartitionedTable, tsMs: number): Partition {
  const fromMs = Math.floor(tsMs / t.spanMs) * t.spanMs;
  return { table: t.table, name: partitionName(t.table, fromMs), fromMs, toMs: fromMs + t.spanMs };
}

/** Every partition covering [fromMs, toMs]. */
export function partitionsCovering(t: PartitionedTable, fromMs: number, toMs: number): Partition[] {
  const out: Partition[] = [];
  for (let p = partitionFor(t, fromMs); p.fromMs <= toMs; p = partitionFor(t, p.toMs)) out.push(p);
  return out;
}

/**
 * The partitions that must exist at `nowMs`: from the oldest accepted point (now − retention) to
 * `aheadMs` in the future.
 */
export function partitionsNeeded(t: PartitionedTable, nowMs: number, aheadMs: number): Partition[] {
  return partitionsCovering(t, nowMs - t.retentionMs, nowMs + aheadMs);
}

/**
 * Of the existing partition names of `t`, those to drop at `nowMs`: wholly older than retention plus
 * one span (the extra span keeps every raw point of a bucket that an accepted point can still touch).
 * Names that do not parse as this table's partitions are never dropped.
 */
export function partitionsToDrop(t: PartitionedTable, existing: readonly string[], nowMs: number): string[] {
  const re = new RegExp(`^${t.table}_p(\\d{4})(\\d{2})(\\d{2})$`);
  return existing.filter((name) => {
    const m = re.exec(name);
    if (!m) return false;
    const fromMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return fromMs + t.spanMs <= nowMs - t.retentionMs - t.spanMs;
  });
}
