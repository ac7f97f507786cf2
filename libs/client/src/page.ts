import { z } from 'zod';

/** One page of a list endpoint. */
export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page (and for servers without pagination). */
  nextCursor: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/**
 * List endpoints answer either a bare array (before cursor pagination) or `{ items, nextCursor }`;
 * both become a Page. Items are checked with `item`.
 */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.union([
    z.array(item).transform((items) => ({ items, nextCursor: null as string | null })),
    z.object({ items: z.array(item), nextCursor: z.string().min(1).nullable().optional() }).transform((p) => ({ items: p.items, nextCursor: p.nextCursor ?? null })),
  ]);
}
