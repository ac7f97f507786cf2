import type { RunSpec } from '@kairos/contracts';

/** Tasks that share a signature are "the same job" for duration history. */
export function taskSignature(queue: string, name: string | null, run: RunSpec): string {
  const what = name ?? (run.kind === 'shell' ? run.command.join(' ').slice(0, 200) : run.kind === 'http' ? `${run.method} ${run.url}` : 'noop');
  return `${queue}|${run.kind}|${what}`;
}

/**
 * Baseline estimator: the mean of recent durations (a moving average, not a median) and their
 * empirical 90th percentile, raised to the mean when the mean is larger.
 */
export function movingAverageEstimate(durationsMs: number[]): { meanMs: number; p90Ms: number } | null {
  if (!durationsMs.length) return null;
  const mean = durationsMs.reduce((a, b) => a + b, 0) / durationsMs.length;
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const p90 = sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)];
  return { meanMs: mean, p90Ms: Math.max(mean, p90) };
}
