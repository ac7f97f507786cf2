import * as fs from 'node:fs';
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

/**
 * Throws unless `pkg`'s native addon (lib/napi-v<N>/tfjs_binding.node) is on disk. The addon comes from the
 * package's install script, which this repository does not approve (package.json allowScripts: it downloads
 * libtensorflow); scripts/gpu-bench.sh runs it where the download is possible. Checking first avoids
 * requiring a package that would register half a backend and then fail.
 */
export function assertNativeBinding(pkg: string, resolve: (id: string) => string = require.resolve): void {
  const dir = path.dirname(resolve(`${pkg}/package.json`));
  const lib = path.join(dir, 'lib');
  const found = fs.existsSync(lib) && fs.readdirSync(lib).some((d) => d.startsWith('napi-v') && fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  if (!found) throw new Error(`${pkg} is installed without its native addon (${lib}/napi-v*/tfjs_binding.node): its install script did not run (see scripts/gpu-bench.sh)`);
}

/** Real loaders, best first. `req` and `checkNative` are injectable so tests can make any step throw. */
export function tfBackendCandidates(
  req: Require = require,
  resolveWasm: () => string = () => wasmBinariesDir(),
  checkNative: (pkg: string) => void = (pkg) => assertNativeBinding(pkg),
): BackendCandidate[] {
  const activate = async (name: string): Promise<void> => {
    const tf = loadTf(req);
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
    await tf.ready();
  };
  const native = (name: TfBackendName, pkg: string): BackendCandidate => ({
    name,
    load: async () => {
      checkNative(pkg);
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

/**
 * Activates one named backend (used by `bench inference` to measure every backend present). Throws with
 * the reason when it cannot load.
 */
export async function activateTfBackend(name: TfBackendName): Promise<void> {
  const candidate = tfBackendCandidates().find((c) => c.name === name);
  if (!candidate) throw new Error(`unknown tfjs backend ${name}`);
  await candidate.load();
}

/** Picks the best backend once per process; /health and model records report the result. */
export function initTfBackend(exclude: readonly TfBackendName[] = []): Promise<BackendChoice> {
  if (!chosen) chosen = selectBackend(tfBackendCandidates().filter((c) => !exclude.includes(c.name)));
  return chosen;
}
