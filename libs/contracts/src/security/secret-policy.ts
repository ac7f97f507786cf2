import type { RunSpec } from '../task.schema';

/**
 * Which values of a run spec are secret, and how they are hidden.
 *
 * Input shape (backward compatible): `env` / `headers` stay plain string maps; `secretEnv` /
 * `secretHeaders` hold values the client marks secret. Besides, an `env` name containing one of the
 * policy's patterns (case-insensitive: *TOKEN*, *SECRET*, *PASSWORD*, *KEY*…) and a header named in
 * the policy (Authorization, Proxy-Authorization, Cookie…) are secret automatically.
 * normalizeSecrets moves those into the secret maps, so a normalised (and then sealed) spec keeps every
 * secret in exactly two places, which the executor opens and everything else redacts.
 */
export interface SecretPolicy {
  /** Substrings of env names, compared upper-case. */
  readonly envNamePatterns: readonly string[];
  /** Header names, compared lower-case. */
  readonly headerNames: readonly string[];
}

export const DEFAULT_SECRET_ENV_PATTERNS = ['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'KEY', 'CREDENTIAL'] as const;
export const DEFAULT_SECRET_HEADER_NAMES = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'] as const;
export const DEFAULT_SECRET_POLICY: SecretPolicy = { envNamePatterns: DEFAULT_SECRET_ENV_PATTERNS, headerNames: DEFAULT_SECRET_HEADER_NAMES };

/** What a redacted value becomes: fixed, so it reveals neither the value nor its length. */
export const REDACTED = '[redacted]';

/** Free-text scrubbing skips shorter values: they would match all over ordinary output. */
export const MIN_REDACTED_TEXT_LENGTH = 4;

export function isSecretEnvName(name: string, policy: SecretPolicy = DEFAULT_SECRET_POLICY): boolean {
  const upper = name.toUpperCase();
  return policy.envNamePatterns.some((p) => p.length > 0 && upper.includes(p.toUpperCase()));
}

export function isSecretHeaderName(name: string, policy: SecretPolicy = DEFAULT_SECRET_POLICY): boolean {
  const lower = name.toLowerCase();
  return policy.headerNames.some((h) => h.toLowerCase() === lower);
}

function split(rec: Record<string, string>, isSecret: (k: string) => boolean): [Record<string, string>, Record<string, string>] {
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec)) (isSecret(k) ? secret : plain)[k] = v;
  return [plain, secret];
}

/** Moves automatically-secret env entries and headers into secretEnv / secretHeaders (values untouched). */
export function normalizeSecrets<S extends RunSpec>(spec: S, policy: SecretPolicy = DEFAULT_SECRET_POLICY): S {
  if (spec.kind === 'shell') {
    const [env, moved] = split(spec.env, (k) => isSecretEnvName(k, policy));
    const secretEnv = { ...spec.secretEnv, ...moved };
    return Object.keys(secretEnv).length ? { ...spec, env, secretEnv } : { ...spec, env };
  }
  if (spec.kind === 'http') {
    const [headers, moved] = split(spec.headers, (k) => isSecretHeaderName(k, policy));
    const secretHeaders = { ...spec.secretHeaders, ...moved };
    return Object.keys(secretHeaders).length ? { ...spec, headers, secretHeaders } : { ...spec, headers };
  }
  return spec;
}

const redactAll = (rec: Record<string, string>): Record<string, string> => Object.fromEntries(Object.keys(rec).map((k) => [k, REDACTED]));
const redactWhere = (rec: Record<string, string>, isSecret: (k: string) => boolean): Record<string, string> =>
  Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, isSecret(k) ? REDACTED : v]));

/**
 * The spec as API responses, events for others and logs may show it: every secret value (marked,
 * or matching the policy, sealed or not) becomes REDACTED; names stay, so users see what was set.
 */
export function redactRunSpec<S extends RunSpec>(spec: S, policy: SecretPolicy = DEFAULT_SECRET_POLICY): S {
  if (spec.kind === 'shell') {
    const out = { ...spec, env: redactWhere(spec.env, (k) => isSecretEnvName(k, policy)) };
    return spec.secretEnv ? { ...out, secretEnv: redactAll(spec.secretEnv) } : out;
  }
  if (spec.kind === 'http') {
    const out = { ...spec, headers: redactWhere(spec.headers, (k) => isSecretHeaderName(k, policy)) };
    return spec.secretHeaders ? { ...out, secretHeaders: redactAll(spec.secretHeaders) } : out;
  }
  return spec;
}

/** The plaintext secret values of an opened spec (for redactText over its output and errors). */
export function collectSecretValues(spec: RunSpec, policy: SecretPolicy = DEFAULT_SECRET_POLICY): string[] {
  const n = normalizeSecrets(spec, policy);
  if (n.kind === 'shell') return Object.values(n.secretEnv ?? {});
  if (n.kind === 'http') return Object.values(n.secretHeaders ?? {});
  return [];
}

/**
 * The forms a secret can take in text: itself; the credential of an `<scheme> <credential>` header
 * (Bearer, Basic, token…); a Basic credential's decoded password; and its URL- and JSON-escaped forms.
 */
export function secretFragments(value: string): string[] {
  const out = new Set<string>([value]);
  const scheme = /^([A-Za-z][A-Za-z0-9_-]*)\s+(\S.*)$/.exec(value);
  if (scheme) {
    out.add(scheme[2]);
    if (scheme[1].toLowerCase() === 'basic') {
      const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        out.add(decoded);
        out.add(decoded.slice(colon + 1));
      }
    }
  }
  for (const v of [...out]) {
    out.add(encodeURIComponent(v));
    out.add(JSON.stringify(v).slice(1, -1));
  }
  return [...out].filter((f) => f.length >= MIN_REDACTED_TEXT_LENGTH);
}

/**
 * Replaces every occurrence of every secret (and its derived forms) in `text` with REDACTED, longest
 * first so a secret that contains another is hidden whole. For outputs, error messages and log lines.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  if (!text || !secrets.length) return text;
  const fragments = [...new Set(secrets.flatMap(secretFragments))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const f of fragments) if (out.includes(f)) out = out.split(f).join(REDACTED);
  return out;
}
