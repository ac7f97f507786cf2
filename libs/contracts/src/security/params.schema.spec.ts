import { z } from 'zod';
import { formatZodIssues } from '../envelope';
import { TASK_STATUSES } from '../task.schema';
import { cursorParam, decodeCursor, encodeCursor, enumParam, intParam, queryParams, textParam, uuidParam } from './params.schema';

const issues = (schema: z.ZodType, v: unknown): string[] => {
  const r = schema.safeParse(v);
  return r.success ? [] : formatZodIssues(r.error);
};

describe('path and query parameters', () => {
  const Query = queryParams({
    status: enumParam(TASK_STATUSES).optional(),
    queue: textParam().optional(),
    limit: intParam({ min: 1, max: 1000, default: 100 }),
    cursor: cursorParam().optional(),
  });

  it('parses a well-formed query and fills the default', () => {
    expect(Query.parse({ status: 'failed', queue: 'builds' })).toEqual({ status: 'failed', queue: 'builds', limit: 100 });
    expect(Query.parse({ limit: '25' }).limit).toBe(25);
  });

  it.each([
    [{ limit: '1e3' }, 'limit: must be an integer'],
    [{ limit: '0x10' }, 'limit: must be an integer'],
    [{ limit: '' }, 'limit: must be an integer'],
    [{ limit: ' 5' }, 'limit: must be an integer'],
    [{ limit: '0' }, 'limit: must be at least 1'],
    [{ limit: '1001' }, 'limit: must be at most 1000'],
    [{ limit: '9'.repeat(400) }, 'limit: must be an integer'],
    [{ limit: ['1', '2'] }, 'limit: Invalid input: expected string, received array'],
    [{ queue: 'a\u0000' }, 'queue: must not contain NUL (\\u0000) at character 1'],
    [{ queue: { $gt: '' } }, 'queue: Invalid input: expected string, received object'],
    [{ cursor: 'abc$' }, 'cursor: must be a cursor returned by the previous page'],
    [{ limt: '5' }, '(root): Unrecognized key: "limt"'],
  ])('%j → %s', (q, message) => {
    expect(issues(Query, q)).toContain(message);
  });

  it('status must be one of the enum', () => {
    expect(issues(Query, { status: 'failed\u0000' })[0]).toMatch(/^status: Invalid option/);
  });

  it('UUIDs: a NUL, a path and a 1 MB id are all "must be a UUID"', () => {
    const id = uuidParam('task id');
    expect(id.safeParse('5b0f7a40-1f52-4c1e-9a57-0d4f1f5a0c11').success).toBe(true);
    for (const bad of ['5b0f7a40-1f52-4c1e-9a57-0d4f1f5a0c1\u0000', '../etc', 'x'.repeat(1 << 20), '']) {
      expect(issues(id, bad)).toEqual(['(root): task id must be a UUID']);
    }
  });

  it('cursors round-trip and refuse what their schema does not accept', () => {
    const Cursor = z.object({ createdAt: z.string().datetime(), id: z.string().uuid() }).strict();
    const value = { createdAt: '2025-01-02T03:04:05.000Z', id: '5b0f7a40-1f52-4c1e-9a57-0d4f1f5a0c11' };
    const c = encodeCursor(value);
    expect(cursorParam().safeParse(c).success).toBe(true);
    expect(decodeCursor(c, Cursor)).toEqual(value);
    expect(decodeCursor(encodeCursor({ createdAt: 'x', id: 'y' }), Cursor)).toBeNull();
    expect(decodeCursor('not-json', Cursor)).toBeNull();
  });
});
