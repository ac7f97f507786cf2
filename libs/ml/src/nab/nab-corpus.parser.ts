import { NabInputError } from './nab.errors';

export interface NabSeriesData {
  /** Epoch milliseconds (timestamps in NAB files are naive; read as UTC). */
  readonly timestamps: number[];
  readonly values: number[];
}

/** Window [start, end] in epoch milliseconds, both ends inclusive. */
export type NabWindow = readonly [number, number];

export interface NabCostMatrix {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Parses `YYYY-MM-DD HH:MM:SS[.ffffff]` as UTC; returns NaN when malformed. */
export function parseNabTimestamp(text: string): number {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Math.floor(Number(frac.padEnd(6, '0')) / 1000) : 0;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  // Date.UTC silently rolls 2014-02-31 over; reject that.
  const back = new Date(t);
  if (back.getUTCDate() !== Number(d) || back.getUTCMonth() !== Number(mo) - 1) return Number.NaN;
  return t;
}

/**
 * Reads a NAB `timestamp,value` CSV. Rows are kept in file order, as NAB does: the shipped corpus has
 * repeated timestamps and one step back in time (machine_temperature), so order is not enforced.
 */
export function parseNabCsv(text: string, source: string): NabSeriesData {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new NabInputError('CSV_EMPTY', source, 'file is empty');
  const header = lines[0].split(',').map((h) => h.trim());
  if (header.length !== 2 || header[0] !== 'timestamp' || header[1] !== 'value') {
    throw new NabInputError('CSV_HEADER', source, `expected header "timestamp,value", got "${lines[0]}"`, 1);
  }
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const comma = line.indexOf(',');
    if (comma < 0) throw new NabInputError('CSV_ROW', source, `expected 2 fields, got "${line}"`, i + 1);
    const tsText = line.slice(0, comma);
    const valueText = line.slice(comma + 1).trim();
    const t = parseNabTimestamp(tsText);
    if (Number.isNaN(t)) throw new NabInputError('CSV_ROW', source, `field timestamp: not a valid timestamp "${tsText}"`, i + 1);
    const v = valueText === '' ? Number.NaN : Number(valueText);
    if (!Number.isFinite(v)) throw new NabInputError('CSV_ROW', source, `field value: not a finite number "${valueText}"`, i + 1);
    timestamps.push(t);
    values.push(v);
  }
  if (timestamps.length === 0) throw new NabInputError('CSV_EMPTY', source, 'no data rows after the header');
  return { timestamps, values };
}

/** Reads `combined_windows.json`: series path ("category/name.csv") → list of [start, end] windows. */
export function parseNabLabels(text: string, source: string): Map<string, NabWindow[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NabInputError('LABELS_FORMAT', source, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new NabInputError('LABELS_FORMAT', source, 'expected an object mapping series path to a list of windows');
  }
  const out = new Map<string, NabWindow[]>();
  for (const [series, windows] of Object.entries(raw)) {
    if (!Array.isArray(windows)) throw new NabInputError('LABELS_FORMAT', source, `"${series}": expected a list of windows`);
    const parsed: NabWindow[] = windows.map((w: unknown, k: number) => {
      const where = `"${series}" window ${k}`;
      if (!Array.isArray(w) || w.length !== 2 || typeof w[0] !== 'string' || typeof w[1] !== 'string') {
        throw new NabInputError('LABELS_WINDOW', source, `${where}: expected ["start", "end"] timestamps`);
      }
      const start = parseNabTimestamp(w[0]);
      const end = parseNabTimestamp(w[1]);
      if (Number.isNaN(start)) throw new NabInputError('LABELS_WINDOW', source, `${where}: bad start timestamp "${w[0]}"`);
      if (Number.isNaN(end)) throw new NabInputError('LABELS_WINDOW', source, `${where}: bad end timestamp "${w[1]}"`);
      if (end < start) throw new NabInputError('LABELS_WINDOW', source, `${where}: end is before start`);
      return [start, end] as const;
    });
    parsed.sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < parsed.length; k++) {
      if (parsed[k][0] <= parsed[k - 1][1]) throw new NabInputError('LABELS_WINDOW', source, `"${series}": windows overlap`);
    }
    out.set(series, parsed);
  }
  return out;
}

/** Reads NAB `profiles.json`: profile name → cost matrix. */
export function parseNabProfiles(text: string, source: string): Map<string, NabCostMatrix> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NabInputError('PROFILES_FORMAT', source, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new NabInputError('PROFILES_FORMAT', source, 'expected an object mapping profile name to {CostMatrix}');
  }
  const out = new Map<string, NabCostMatrix>();
  for (const [name, profile] of Object.entries(raw as Record<string, unknown>)) {
    const matrix = typeof profile === 'object' && profile !== null ? (profile as Record<string, unknown>)['CostMatrix'] : undefined;
    if (typeof matrix !== 'object' || matrix === null) {
      throw new NabInputError('PROFILES_FORMAT', source, `profile "${name}": missing CostMatrix object`);
    }
    const m = matrix as Record<string, unknown>;
    const weight = (key: string): number => {
      const v = m[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new NabInputError('PROFILES_FORMAT', source, `profile "${name}": CostMatrix.${key} must be a non-negative number`);
      }
      return v;
    };
    out.set(name, { tpWeight: weight('tpWeight'), fpWeight: weight('fpWeight'), fnWeight: weight('fnWeight') });
  }
  if (out.size === 0) throw new NabInputError('PROFILES_FORMAT', source, 'no profiles');
  return out;
}
