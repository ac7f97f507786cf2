import type { RunSpec } from '../task.schema';
import { DEFAULT_SECRET_POLICY, normalizeSecrets, type SecretPolicy } from './secret-policy';
import { openValue, sealValue, type SecretKeyring } from './secret-envelope';

/**
 * A run spec as stored and published: normalised (every secret in secretEnv / secretHeaders) and each
 * of those values sealed. The executor opens it right before running; nothing else ever needs to.
 * Associated data binds each ciphertext to its place: `env:<NAME>`, `header:<lower-case name>`.
 */
const envField = (name: string) => `env:${name}`;
const headerField = (name: string) => `header:${name.toLowerCase()}`;

const mapValues = (rec: Record<string, string>, fn: (k: string, v: string) => string): Record<string, string> =>
  Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, fn(k, v)]));

/** Normalises with `policy`, then seals every secret value with the keyring's current key. */
export function sealSecrets<S extends RunSpec>(spec: S, keyring: SecretKeyring, policy: SecretPolicy = DEFAULT_SECRET_POLICY): S {
  const n: RunSpec = normalizeSecrets(spec, policy);
  if (n.kind === 'shell' && n.secretEnv) return { ...n, secretEnv: mapValues(n.secretEnv, (k, v) => sealValue(v, keyring, envField(k))) } as S;
  if (n.kind === 'http' && n.secretHeaders) return { ...n, secretHeaders: mapValues(n.secretHeaders, (k, v) => sealValue(v, keyring, headerField(k))) } as S;
  return n as S;
}

/**
 * Opens every sealed value (throws SecretEnvelopeError naming the field if one does not open: unknown
 * key id, tampered, or not sealed at all).
 */
export function openSecrets<S extends RunSpec>(spec: S, keyring: SecretKeyring): S {
  if (spec.kind === 'shell' && spec.secretEnv) return { ...spec, secretEnv: mapValues(spec.secretEnv, (k, v) => openValue(v, keyring, envField(k))) };
  if (spec.kind === 'http' && spec.secretHeaders) return { ...spec, secretHeaders: mapValues(spec.secretHeaders, (k, v) => openValue(v, keyring, headerField(k))) };
  return spec;
}

/** Key rotation: opens with any keyring key and seals again with the current one. */
export function resealSecrets<S extends RunSpec>(spec: S, keyring: SecretKeyring): S {
  return sealSecrets(openSecrets(spec, keyring), keyring, { envNamePatterns: [], headerNames: [] });
}
