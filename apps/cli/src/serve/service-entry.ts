import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SERVICES = ['gateway', 'collector', 'analyzer', 'executor', 'standalone'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** How this CLI runs: compiled (dist/, after `npm run build`) or from TypeScript through the swc hook. */
export type BuildMode = 'dist' | 'source';

export interface ServeTarget {
  service: ServiceName;
  /** The service's main module, in the same build mode as the CLI itself. */
  entry: string;
  /** Variables set before the service reads its configuration. */
  env: Record<string, string>;
}

/** The entry module of a service; null when it is missing (e.g. dist/ without a build). */
export function serviceEntry(root: string, mode: BuildMode, service: ServiceName, exists: (p: string) => boolean = existsSync): string | null {
  const entry = mode === 'dist' ? join(root, 'dist', 'apps', service, 'src', 'main.js') : join(root, 'apps', service, 'src', 'main.ts');
  return exists(entry) ? entry : null;
}
