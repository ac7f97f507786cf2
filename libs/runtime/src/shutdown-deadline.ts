import type { EventEmitter } from 'node:events';

/** The signals on which a service starts its graceful stop (Nest's shutdown hooks run on them). */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;

export interface ShutdownDeadlineDeps {
  /** Where signals arrive (process). */
  signals: Pick<EventEmitter, 'once' | 'removeListener'>;
  /** Called when the graceful stop has not ended the process in time: log and exit. */
  expire(signal: string, afterMs: number): void;
  setTimer(fn: () => void, ms: number): { unref(): unknown };
}

/**
 * Bounds a graceful stop: from the first shutdown signal, a service that has not exited within `ms`
 * (a shutdown hook waiting on a dead broker, a stuck query) is ended by `expire`. The timer is unref'd,
 * so a stop that finishes in time exits as usual. Returns a function that disarms it (tests).
 * Without it a hung hook leaves the process up forever, holding its port, leases and consumer-group
 * membership; the orphan watchdog still kills its tasks' processes when it exits.
 */
export function armShutdownDeadline(ms: number, deps: ShutdownDeadlineDeps): () => void {
  const handlers = SHUTDOWN_SIGNALS.map((signal) => {
    const h = () => {
      disarm();
      deps.setTimer(() => deps.expire(signal, ms), ms).unref();
    };
    deps.signals.once(signal, h);
    return [signal, h] as const;
  });
  const disarm = () => {
    for (const [signal, h] of handlers) deps.signals.removeListener(signal, h);
  };
  return disarm;
}
