import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What `new Worker(file, { execArgv })` needs to run a worker entry point. */
export interface WorkerScript {
  file: string;
  /** Set when the worker must load the TypeScript require hook itself. */
  execArgv?: string[];
}

const SWC_HOOK = resolve(__dirname, '../../../scripts/swc-register.js');

/**
 * The worker entry point `<dir>/<base>`: the compiled `.js` (dist/, every deployment), else the `.ts` source
 * run through the repository's swc require hook — inherited from a process started with it
 * (`node --require scripts/swc-register.js`, the benches), added for one that was not (jest's).
 */
export function resolveWorkerScript(dir: string, base: string): WorkerScript {
  const js = join(dir, `${base}.js`);
  if (existsSync(js)) return { file: js };
  const ts = join(dir, `${base}.ts`);
  if (!existsSync(ts) || !existsSync(SWC_HOOK)) throw new Error(`worker ${base}: neither ${js} nor ${ts} with the swc require hook exists; run \`npm run build\``);
  const hooked = process.execArgv.some((a) => a.includes('swc-register'));
  return { file: ts, ...(hooked ? {} : { execArgv: [...process.execArgv, '--require', SWC_HOOK] }) };
}
