import { z } from 'zod';
import { formatZodIssues } from '../envelope';
import { findUnsafeChar, formatIssuePath, safeString, toStorableText, utf8ByteLength } from './safe-string';

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4], // a surrogate pair
    ['\ud800', 3], // lone: written as U+FFFD
    ['a\udc00b', 5],
  ])('%j is %i bytes (as Buffer.byteLength says)', (s, n) => {
    expect(utf8ByteLength(s)).toBe(n);
    expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
  });
});

describe('findUnsafeChar', () => {
  it.each([
    ['plain text', null],
    ['emoji 😀 ok', null],
    ['a\u0000b', { kind: 'nul', index: 1 }],
    ['ab\ud83d', { kind: 'lone_high_surrogate', index: 2 }],
    ['\ud83dx', { kind: 'lone_high_surrogate', index: 0 }],
    ['x\ude00', { kind: 'lone_low_surrogate', index: 1 }],
    ['😀\ude00', { kind: 'lone_low_surrogate', index: 2 }],
  ])('%j → %j', (s, expected) => {
    expect(findUnsafeChar(s)).toEqual(expected);
  });

  it('toStorableText replaces exactly the unsafe code units', () => {
    expect(toStorableText('a\u0000b\ud800c😀\udc00')).toBe('a\ufffdb\ufffdc😀\ufffd');
    expect(toStorableText('fine')).toBe('fine');
  });
});

describe('safeString', () => {
  const S = z.object({ a: z.array(safeString({ maxBytes: 8, minLength: 1 })) });
  const issues = (v: unknown) => {
    const r = S.safeParse(v);
    return r.success ? [] : formatZodIssues(r.error);
  };
  it('accepts well-formed text within the limit (bytes, not characters)', () => {
    expect(issues({ a: ['12345678', '€€', '😀😀'] })).toEqual([]);
  });
  it('names the field of a NUL', () => {
    expect(issues({ a: ['ok', 'x\u0000'] })).toEqual(['a[1]: must not contain NUL (\\u0000) at character 1']);
  });
  it('names the field of a lone high and a lone low surrogate', () => {
    expect(issues({ a: ['\ud800'] })).toEqual(['a[0]: must not contain an unpaired UTF-16 high surrogate (\\ud800) at character 0']);
    expect(issues({ a: ['ok\udfff'] })).toEqual(['a[0]: must not contain an unpaired UTF-16 low surrogate (\\udfff) at character 2']);
  });
  it('counts UTF-8 bytes: three € are 9 bytes although 3 characters', () => {
    expect(issues({ a: ['€€€'] })).toEqual(['a[0]: must be at most 8 bytes (got 9)']);
    expect(issues({ a: ['123456789'] })).toEqual(['a[0]: must be at most 8 bytes']);
  });
  it('reports the minimum', () => {
    expect(issues({ a: [''] })).toEqual(['a[0]: must not be empty']);
  });
  it('keeps a chained regex', () => {
    const Q = safeString({ maxBytes: 10 }).regex(/^[a-z]+$/, 'lower-case only');
    expect(Q.safeParse('abc').success).toBe(true);
    expect(Q.safeParse('ABC').success).toBe(false);
  });
});

describe('formatIssuePath', () => {
  it.each([
    [[], '(root)'],
    [['run', 'command', 1], 'run.command[1]'],
    [['tasks', 3, 'run', 'env', 'HOME'], 'tasks[3].run.env.HOME'],
    [['run', 'env', 'A.B'], 'run.env["A.B"]'],
    [['labels', 'x\u0000'], 'labels["x\\u0000"]'],
    [['labels', '\ud800'], 'labels["\\ud800"]'],
    [['k', 'x'.repeat(100)], `k["${'x'.repeat(64)}…"]`],
  ])('%j → %s', (path, expected) => {
    expect(formatIssuePath(path)).toBe(expected);
  });
});
