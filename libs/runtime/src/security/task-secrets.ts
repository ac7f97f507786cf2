import type { Provider } from '@nestjs/common';
import { normalizeSecrets, openSecrets, redactRunSpec, sealSecrets, type RunSpec, type SecretKeyring, type SecretPolicy } from '@kairos/contracts';
import type { KairosConfig } from '@kairos/platform';
import { CONFIG, PROCESS_IDENTITY, type ProcessIdentity } from '../tokens';
import { secretKeyringFromConfig, secretPolicyFromConfig } from './secrets.config';

/** The TaskSecrets of this process (gateway: seal and redact; executor: open). */
export const TASK_SECRETS = Symbol('TASK_SECRETS');

/**
 * Task secrets are write-only: the gateway seals them before anything is stored or published (rows,
 * outbox events, workflow task specs), answers show them as `[redacted]`, and only the executor opens
 * them, right before the runner. A thin adapter over libs/contracts secret-sealing/secret-policy.
 */
export class TaskSecrets {
  constructor(
    private readonly keyring: SecretKeyring,
    readonly policy: SecretPolicy,
  ) {}

  /** Secrets moved to secretEnv/secretHeaders and encrypted (AES-256-GCM): the form to store and publish. */
  seal<S extends RunSpec>(spec: S): S {
    return sealSecrets(spec, this.keyring, this.policy);
  }

  /** The plaintext spec, for the runner only. Throws SecretEnvelopeError naming the field that does not open. */
  open<S extends RunSpec>(spec: S): S {
    return openSecrets(spec, this.keyring);
  }

  /** The form answers and logs may show: every secret value `[redacted]`. Accepts what the database holds (unknown). */
  redact<T>(run: T): T {
    if (!isRunSpec(run)) return run;
    // Summaries (list rows) and old rows may lack env/headers: redact what is there, add nothing.
    const r = run as unknown as Record<string, unknown>;
    const filled = { ...r, env: r.env ?? {}, headers: r.headers ?? {} } as unknown as RunSpec;
    const out = { ...(redactRunSpec(filled, this.policy) as unknown as Record<string, unknown>) };
    if (r.env === undefined) delete out.env;
    if (r.headers === undefined) delete out.headers;
    return out as T;
  }

  /** Whether a stored (sealed) spec carries the same plaintext as a new submission (idempotent resubmission). */
  sameSpec(stored: RunSpec, submitted: RunSpec): boolean {
    try {
      return canonical(normalizeSecrets(this.open(stored), this.policy)) === canonical(normalizeSecrets(submitted, this.policy));
    } catch {
      return false;
    }
  }
}

function isRunSpec(v: unknown): v is RunSpec {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}

/** JSON with sorted object keys (jsonb does not keep key order). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

/**
 * Provider for apps that seal or open (gateway, executor). Standalone without KAIROS_SECRET_KEY uses
 * DATA_DIR/secret.key (created once); separate processes must share KAIROS_SECRET_KEY and refuse to
 * start without it.
 */
export const taskSecretsProvider: Provider = {
  provide: TASK_SECRETS,
  useFactory: (config: KairosConfig, proc: ProcessIdentity) =>
    new TaskSecrets(secretKeyringFromConfig(config, proc.service === 'standalone' ? 'standalone' : 'distributed').keyring, secretPolicyFromConfig(config)),
  inject: [CONFIG, PROCESS_IDENTITY],
};
