/**
 * The part of the server's environment a task may see: only the allow-listed names (TASK_ENV_ALLOW),
 * never DATABASE_URL, KAIROS_SECRET_KEY or anything else the server was started with.
 * (process.env is read only in libs/platform.)
 */
export const DEFAULT_TASK_ENV_ALLOW = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const;

export function taskBaseEnv(allow: readonly string[] = DEFAULT_TASK_ENV_ALLOW, env: Record<string, string | undefined> = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of allow) {
    const v = env[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
