import * as path from 'node:path';
import type * as TfNamespace from '@tensorflow/tfjs';
import { BackendCandidate, BackendChoice, TfBackendName, selectBackend } from '../backend/backend-selection';

/** The tfjs API as the rest of the adapters use it. */
export type Tf = typeof TfNamespace;

type Require = (id: string) => unknown;

/**
 * tfjs is required lazily so importing @kairos/ml stays cheap. The native bindings replace the
 * `@tensorflow/tfjs` entry with their own re-export, so after a native load we keep using the same
 * core (`@tensorflow/tfjs` shares @tensorflow/tfjs-core with them).
 */
export function loadTf(req: Require = require): Tf {
  return req('@tensorflow/tfjs') as Tf;
}

export function wasmBinariesDir(req: { resolve: (id: string) => string } = require): string {
  return path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
}

interface WasmModule {
  setWasmPaths: (prefix: string) => void;
}

/** Real loaders, best first. `req` is injectable so tests can make any module throw. */
export function tfBackendCandidates(req: Require = require, resolveWasm: () => string = () => wasmBinariesDir()): BackendCandidate[] {
  const activate = async (name: string): Promise<void> => {
    const tf = loadTf(req);
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
    await tf.ready();
  };
  const native = (name: TfBackendName, pkg: string): BackendCandidate => ({
    name,
    load: async () => {
      req(pkg);
      await activate('tensorflow');
    },
  });
  return [
    native('tensorflow-gpu', '@tensorflow/tfjs-node-gpu'),
    native('tensorflow', '@tensorflow/tfjs-node'),
    {
      name: 'wasm',
      load: async () => {
        const wasm = req('@tensorflow/tfjs-backend-wasm') as WasmModule;
        const dir = resolveWasm();
        wasm.setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
        await activate('wasm');
      },
    },
    { name: 'cpu', load: () => activate('cpu') },
  ];
}

let chosen: Promise<BackendChoice> | null = null;

/** Picks the best backend once per process; /health and model records report the result. */
export function initTfBackend(exclude: readonly TfBackendName[] = []): Promise<BackendChoice> {
  if (!chosen) chosen = selectBackend(tfBackendCandidates().filter((c) => !exclude.includes(c.name)));
  return chosen;
}
