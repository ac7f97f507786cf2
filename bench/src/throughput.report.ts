// Pure parts of `bench throughput`: argument validation, quantiles, ratios to the peers, the verdict
// against the mission's bar (≥ 2 × BullMQ, ≥ 2 × pg-boss, ahead of graphile-worker) and the table.

export const KAIROS_SYSTEMS = ['kairos-standalone', 'kairos-distributed'] as const;
export const PEER_SYSTEMS = ['bullmq', 'pg-boss', 'graphile-worker'] as const;
export const SYSTEMS = [...KAIROS_SYSTEMS, ...PEER_SYSTEMS] as const;
export type SystemName = (typeof SYSTEMS)[number];
export type PeerName = (typeof PEER_SYSTEMS)[number];

export interface ThroughputResult {
  /** One of SYSTEMS. */
  system: SystemName;
  /** 'single': one job per enqueue call (the comparison); 'bulk': the peer's bulk-enqueue API (reference only). */
  enqueue: 'single' | 'bulk';
  /** How the system ran (storage, transport, worker processes, worker concurrency). */
  setup: string;
  tasks: number;
  submitSeconds: number;
  totalSeconds: number;
  tasksPerSecond: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  /** Where the enqueue → complete latencies come from. */
  latencySource: string;
  /** Kairos only: scheduler decision latency over all executors. */
  decisionP50Ms?: number;
  decisionP99Ms?: number;
  decisions?: number;
  /**
   * Kairos only, read from each service's /health after the run: consumer-group crashes during the run
   * (each replaced with back-off) and the groups still down at the end (should be none).
   */
  consumerCrashes?: number;
  consumersDown?: string[];
}

export function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, got "${v}"`);
  return n;
}

/** Comma-separated system names → validated, de-duplicated list in the order given. */
export function parseSystems(v: string): SystemName[] {
  const names = v.split(',').map((s) => s.trim());
  if (names.some((s) => s === '')) throw new Error(`--systems: empty name in "${v}" (expected a comma-separated subset of ${SYSTEMS.join(',')})`);
  const out: SystemName[] = [];
  for (const s of names) {
    if (!(SYSTEMS as readonly string[]).includes(s)) throw new Error(`--systems: unknown system "${s}" (expected a comma-separated subset of ${SYSTEMS.join(',')})`);
    if (out.includes(s as SystemName)) throw new Error(`--systems: "${s}" given twice`);
    out.push(s as SystemName);
  }
  return out;
}

export function urlOption(flag: string, protocols: string[]): (v: string) => string {
  return (v: string) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new Error(`${flag}: not a URL: "${v}"`);
    }
    if (!protocols.includes(u.protocol)) throw new Error(`${flag}: expected a ${protocols.map((p) => p.replace(/:$/, '://')).join(' or ')} URL, got "${v}"`);
    return v;
  };
}

/** Nearest-rank-below quantile of ascending-sorted values (0 for none). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** graphile-worker pool size: its advice, max(10, concurrency + 2), capped so a run stays under PostgreSQL's default max_connections (100). */
export function graphilePool(concurrency: number): number {
  return Math.min(Math.max(10, concurrency + 2), 50);
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

/** rows[i].tasksPerSecond / peer's single-enqueue tasks/s, per peer measured in this run (undefined when not measured). */
export function ratiosToPeers(results: readonly ThroughputResult[]): Array<Partial<Record<PeerName, number>>> {
  const peers = new Map<PeerName, number>();
  for (const r of results) if (r.enqueue === 'single' && (PEER_SYSTEMS as readonly string[]).includes(r.system)) peers.set(r.system as PeerName, r.tasksPerSecond);
  return results.map((r) => {
    const out: Partial<Record<PeerName, number>> = {};
    for (const [peer, tps] of peers) if (tps > 0) out[peer] = round2(r.tasksPerSecond / tps);
    return out;
  });
}

export interface Verdict {
  system: SystemName;
  /** null when that peer was not measured in this run. */
  atLeast2xBullmq: boolean | null;
  atLeast2xPgBoss: boolean | null;
  aheadOfGraphileWorker: boolean | null;
  meetsBar: boolean | null;
}

/** The mission's throughput bar, checked for each Kairos row against the peers' single-enqueue rows. */
export function verdicts(results: readonly ThroughputResult[]): Verdict[] {
  const ratios = ratiosToPeers(results);
  const out: Verdict[] = [];
  results.forEach((r, i) => {
    if (!(KAIROS_SYSTEMS as readonly string[]).includes(r.system)) return;
    const x = ratios[i];
    const v = {
      system: r.system,
      atLeast2xBullmq: x.bullmq === undefined ? null : r.tasksPerSecond >= 2 * tps(results, 'bullmq'),
      atLeast2xPgBoss: x['pg-boss'] === undefined ? null : r.tasksPerSecond >= 2 * tps(results, 'pg-boss'),
      aheadOfGraphileWorker: x['graphile-worker'] === undefined ? null : r.tasksPerSecond > tps(results, 'graphile-worker'),
    };
    const parts = [v.atLeast2xBullmq, v.atLeast2xPgBoss, v.aheadOfGraphileWorker];
    out.push({ ...v, meetsBar: parts.includes(null) ? (parts.includes(false) ? false : null) : parts.every(Boolean) });
  });
  return out;
}

function tps(results: readonly ThroughputResult[], peer: PeerName): number {
  return results.find((r) => r.system === peer && r.enqueue === 'single')?.tasksPerSecond ?? NaN;
}

const yesNo = (b: boolean | null) => (b === null ? 'not measured' : b ? 'yes' : 'NO');

/** Markdown table: system, tasks, seconds, tasks/s, latency, ratio to each peer measured; then the verdict lines. */
export function formatReport(results: readonly ThroughputResult[]): string {
  const ratios = ratiosToPeers(results);
  const peers = PEER_SYSTEMS.filter((p) => results.some((r) => r.system === p && r.enqueue === 'single'));
  const head = ['system', 'enqueue', 'tasks', 'seconds', 'tasks/s', 'p50 ms', 'p99 ms', ...peers.map((p) => `× ${p}`)];
  const rows = results.map((r, i) => [
    r.system,
    r.enqueue === 'bulk' ? 'bulk (reference only)' : 'one per call',
    String(r.tasks),
    r.totalSeconds.toFixed(2),
    r.tasksPerSecond.toFixed(1),
    String(Math.round(r.p50LatencyMs)),
    String(Math.round(r.p99LatencyMs)),
    ...peers.map((p) => (ratios[i][p] === undefined ? '' : ratios[i][p]!.toFixed(2))),
  ]);
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((h, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`, ...rows.map((c) => `| ${c.join(' | ')} |`)];
  for (const v of verdicts(results)) {
    lines.push(
      `${v.system}: ≥ 2× BullMQ: ${yesNo(v.atLeast2xBullmq)}; ≥ 2× pg-boss: ${yesNo(v.atLeast2xPgBoss)}; ahead of graphile-worker: ${yesNo(v.aheadOfGraphileWorker)} → bar ${v.meetsBar === null ? 'not fully measured' : v.meetsBar ? 'MET' : 'NOT met'}`,
    );
  }
  return lines.join('\n');
}
