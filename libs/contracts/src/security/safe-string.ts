import { z } from 'zod';

/**
 * Input hygiene shared by every API schema: no NUL (PostgreSQL `text` cannot store it), no unpaired
 * UTF-16 surrogate (not valid UTF-8, so PostgreSQL rejects it too and JSON consumers disagree on it),
 * and sizes counted in UTF-8 bytes. Each failure is a zod issue at the field's path, so the 400 names
 * the field: `run.command[1]: must not contain NUL (\u0000) at character 3`.
 */

/** UTF-8 length without allocating (a lone surrogate counts 3 bytes, as TextEncoder writes U+FFFD). */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export type UnsafeCharKind = 'nul' | 'lone_high_surrogate' | 'lone_low_surrogate';
export interface UnsafeChar {
  kind: UnsafeCharKind;
  /** UTF-16 index of the offending code unit. */
  index: number;
}

// Matching NUL is the point here.
// eslint-disable-next-line no-control-regex
const MAYBE_UNSAFE = /[\u0000\ud800-\udfff]/;

/** The first NUL or unpaired surrogate in `s`, or null. */
export function findUnsafeChar(s: string): UnsafeChar | null {
  if (!MAYBE_UNSAFE.test(s)) return null; // fast path: plain text has neither
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return { kind: 'nul', index: i };
    if (c >= 0xd800 && c <= 0xdbff) {
      if (i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
      else return { kind: 'lone_high_surrogate', index: i };
    } else if (c >= 0xdc00 && c <= 0xdfff) return { kind: 'lone_low_surrogate', index: i };
  }
  return null;
}

export function unsafeCharMessage(u: UnsafeChar, s: string): string {
  if (u.kind === 'nul') return `must not contain NUL (\\u0000) at character ${u.index}`;
  const hex = s.charCodeAt(u.index).toString(16);
  const which = u.kind === 'lone_high_surrogate' ? 'high' : 'low';
  return `must not contain an unpaired UTF-16 ${which} surrogate (\\u${hex}) at character ${u.index}`;
}

/** Replaces NUL and unpaired surrogates with U+FFFD: for text we store but did not receive (process output). */
export function toStorableText(s: string): string {
  if (!MAYBE_UNSAFE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += s[i] + s[i + 1];
      i++;
    } else if (c === 0 || (c >= 0xd800 && c <= 0xdfff)) out += '\ufffd';
    else out += s[i];
  }
  return out;
}

/** Adds the hygiene issues of one string to a refinement context (used by safeString and by record checks). */
export function checkSafeText(s: string, maxBytes: number, ctx: z.RefinementCtx, path: PropertyKey[] = [], what = ''): void {
  const u = findUnsafeChar(s);
  if (u) ctx.addIssue({ code: 'custom', path, message: what + unsafeCharMessage(u, s) });
  // Longer than maxBytes code units is already reported by `.max` (it implies more bytes too); at most
  // 3 bytes per code unit, so short strings need no counting (the common case, and the hot path).
  if (s.length <= maxBytes && s.length * 3 > maxBytes) {
    const bytes = utf8ByteLength(s);
    if (bytes > maxBytes) ctx.addIssue({ code: 'custom', path, message: `${what}must be at most ${maxBytes} bytes (got ${bytes})` });
  }
}

export interface SafeStringOptions {
  /** UTF-8 bytes (see INPUT_LIMITS). */
  maxBytes: number;
  /** Code units; 1 means "must not be empty". */
  minLength?: number;
  /** Message for the minimum, e.g. 'command must name a program'. */
  minMessage?: string;
}

/** A string with no NUL, no unpaired surrogate and at most `maxBytes` UTF-8 bytes. */
export function safeString({ maxBytes, minLength = 0, minMessage }: SafeStringOptions) {
  let s = z.string().max(maxBytes, `must be at most ${maxBytes} bytes`);
  if (minLength > 0) s = s.min(minLength, minMessage ?? (minLength === 1 ? 'must not be empty' : `must be at least ${minLength} characters`));
  return s.superRefine((v, ctx) => checkSafeText(v, maxBytes, ctx));
}

/** Rejects a record with more than `maxEntries` entries, naming the count. */
export function checkEntryCount(obj: object, maxEntries: number, ctx: z.RefinementCtx, path: PropertyKey[] = []): void {
  const n = Object.keys(obj).length;
  if (n > maxEntries) ctx.addIssue({ code: 'custom', path, message: `must have at most ${maxEntries} entries (got ${n})` });
}

/** A string → value map with validated keys and a bounded number of entries. */
export function safeRecord<K extends z.ZodType<string, string>, V extends z.ZodType>(key: K, value: V, { maxEntries }: { maxEntries: number }) {
  return z.record(key, value).superRefine((r, ctx) => checkEntryCount(r, maxEntries, ctx));
}

/** An array of at most `maxItems` items whose strings total at most `maxTotalBytes` UTF-8 bytes. */
export function safeStringArray(item: z.ZodType<string, string>, { maxItems, maxTotalBytes, minItems = 0, minMessage }: { maxItems: number; maxTotalBytes?: number; minItems?: number; minMessage?: string }) {
  let a = z.array(item).max(maxItems, `must have at most ${maxItems} items`);
  if (minItems > 0) a = a.min(minItems, minMessage ?? `must have at least ${minItems} item${minItems === 1 ? '' : 's'}`);
  if (maxTotalBytes === undefined) return a;
  return a.superRefine((xs, ctx) => {
    if (xs.reduce((n, x) => n + x.length, 0) * 3 <= maxTotalBytes) return;
    const total = xs.reduce((n, x) => n + utf8ByteLength(x), 0);
    if (total > maxTotalBytes) ctx.addIssue({ code: 'custom', message: `must total at most ${maxTotalBytes} bytes (got ${total})` });
  });
}

const PLAIN_KEY = /^[A-Za-z0-9_$][A-Za-z0-9_$-]*$/;
const MAX_KEY_IN_MESSAGE = 64;

/**
 * `tasks[3].run.env.HOME` rather than zod's `tasks.3.run.env.HOME`: the form users read in their JSON.
 * Keys that are not plain words are quoted (`env["A.B"]`), escaped (NUL and lone surrogates print as
 * \u0000 / \ud800) and cut at 64 characters, so a hostile key cannot bloat or corrupt the message.
 */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (!path.length) return '(root)';
  let out = '';
  path.forEach((p, i) => {
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const s = String(p);
      if (PLAIN_KEY.test(s) && s.length <= MAX_KEY_IN_MESSAGE) out += i === 0 ? s : `.${s}`;
      else out += `[${JSON.stringify(s.length > MAX_KEY_IN_MESSAGE ? `${s.slice(0, MAX_KEY_IN_MESSAGE)}…` : s)}]`;
    }
  });
  return out;
}
