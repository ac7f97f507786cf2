/**
 * TensorFlow.js backend choice, best first: CUDA (tfjs-node-gpu), native CPU (tfjs-node), WebAssembly,
 * pure-JS cpu. The native packages cannot install offline, so each candidate's loader may throw; we
 * record why and fall through. Loaders are injected so this stays pure and testable; the real ones
 * live in ../adapters/tfjs-backend.adapter.ts.
 */
export type TfBackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendCandidate {
  readonly name: TfBackendName;
  /** Loads and activates the backend; throws (or rejects) when it is unavailable. */
  readonly load: () => Promise<void>;
}

export interface BackendAttempt {
  readonly name: TfBackendName;
  readonly ok: boolean;
  readonly error: string | null;
}

export interface BackendChoice {
  readonly name: TfBackendName;
  readonly tried: readonly BackendAttempt[];
}

export type BackendErrorCode = 'NO_BACKEND';

export class BackendError extends Error {
  constructor(
    readonly code: BackendErrorCode,
    message: string,
    readonly tried: readonly BackendAttempt[],
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

export const BACKEND_PREFERENCE: readonly TfBackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

function describe(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  // Module-not-found messages list every require stack frame; the first line is the useful part.
  return msg.split('\n')[0];
}

/** Tries candidates in order and returns the first that loads, with the reason each earlier one failed. */
export async function selectBackend(candidates: readonly BackendCandidate[]): Promise<BackendChoice> {
  const tried: BackendAttempt[] = [];
  for (const c of candidates) {
    try {
      await c.load();
      tried.push({ name: c.name, ok: true, error: null });
      return { name: c.name, tried };
    } catch (e) {
      tried.push({ name: c.name, ok: false, error: describe(e) });
    }
  }
  throw new BackendError('NO_BACKEND', `no TensorFlow.js backend loaded: ${tried.map((t) => `${t.name} (${t.error})`).join('; ')}`, tried);
}
