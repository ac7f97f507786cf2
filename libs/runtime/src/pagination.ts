import { z } from 'zod';
import { cursorParam, decodeCursor, encodeCursor, intParam } from '@kairos/contracts';
import { RequestParamError } from './request-params';

/**
 * Cursor pagination of the gateway's lists (newest first): `limit` (1..1000, default 100) and an
 * opaque `cursor` from the previous page's `nextCursor`. Keyset, not offset: the cursor holds the
 * last row's (time, id), so a page costs the same at row 10 and at row 10 million and rows inserted
 * meanwhile never shift a page. Times travel as PostgreSQL's microsecond text (`cursorTime`), not as
 * JavaScript Dates, which would drop the microseconds and skip rows.
 */
export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export const PAGE_QUERY = {
  limit: intParam({ min: 1, max: 1000, default: 100 }),
  cursor: cursorParam().optional(),
};

const KeysetSchema = z.object({ t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), id: z.string().min(1).max(200) }).strict();
export type Keyset = z.infer<typeof KeysetSchema>;

/** SQL expression: a timestamptz column as the exact UTC text a cursor carries. */
export const cursorTime = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The position after which the page starts; a cursor this server did not make is a 400 naming it. */
export function keysetOf(cursor: string | undefined): Keyset | undefined {
  if (cursor === undefined) return undefined;
  const k = decodeCursor(cursor, KeysetSchema);
  if (!k) throw new RequestParamError('invalid query: query.cursor: must be a nextCursor returned by the previous page', ['query.cursor: must be a nextCursor returned by the previous page']);
  return k;
}

/** Rows fetched with `LIMIT limit + 1` (newest first) → the page and the cursor after its last row. */
export function pageFrom<R extends { cursor_t: string }, T>(rows: readonly R[], limit: number, idOf: (r: R) => string, map: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last ? encodeCursor({ t: last.cursor_t, id: idOf(last) }) : null };
}
