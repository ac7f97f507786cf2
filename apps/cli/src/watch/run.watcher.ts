import { KairosClientError, type KairosClient, type TaskView, type WorkflowView } from '@kairos/client';
import { CliError } from '../cli.errors';
import { estimateEta } from './eta.estimate';
import { PredictionCache } from './prediction.cache';
import { renderProgressBar, renderProgressLine, formatDuration } from './progress.render';
import { taskSnapshot, workflowSnapshot, type RunKind, type RunSnapshot } from './run-snapshot';

export interface ProgressSink {
  /** A terminal gets a redrawn bar; anything else a plain line now and then. */
  isTTY: boolean;
  columns: number;
  write(text: string): void;
}

export interface WatchOptions {
  intervalMs: number;
  /** Give up (exit 5) after this long; the run goes on. */
  waitTimeoutMs?: number;
  /** How long the server may be unreachable before the watch gives up. */
  reconnectForMs?: number;
  /** Plain mode prints a line when the counts change, and at least this often. */
  plainEveryMs?: number;
  signal?: AbortSignal;
}

export interface WatchDeps {
  client: Pick<KairosClient, 'getTask' | 'getWorkflow' | 'predictionForTask'>;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  progress: ProgressSink;
}

export type WatchResult = { kind: 'task'; view: TaskView; snapshot: RunSnapshot } | { kind: 'workflow'; view: WorkflowView; snapshot: RunSnapshot };

/**
 * Polls a task or workflow until it ends, drawing progress as it goes. Returns the final view; the
 * caller decides the exit code from `snapshot.succeeded`. Short outages of the server are ridden out
 * (up to `reconnectForMs`), so a restarting gateway does not fail a CI job.
 */
export async function watchRun(kind: RunKind, id: string, deps: WatchDeps, opts: WatchOptions): Promise<WatchResult> {
  const started = deps.now();
  const predictions = new PredictionCache(deps.client, deps.now);
  const plainEvery = opts.plainEveryMs ?? 10_000;
  const reconnectFor = opts.reconnectForMs ?? 30_000;
  let lastPlain = { key: '', at: -Infinity };
  let lostSince: number | null = null;
  for (;;) {
    let result: WatchResult;
    try {
      result = kind === 'task' ? await fetchTask(deps, id) : await fetchWorkflow(deps, id);
      if (lostSince !== null) deps.progress.write(deps.progress.isTTY ? '\r\x1b[K' : 'contact with the server restored\n');
      lostSince = null;
    } catch (err) {
      if (!isTransient(err)) throw err;
      const now = deps.now();
      if (lostSince === null) {
        lostSince = now;
        deps.progress.write(`${deps.progress.isTTY ? '\r\x1b[K' : ''}lost contact with the server (${(err as Error).message}); retrying for up to ${formatDuration(reconnectFor)}${deps.progress.isTTY ? '' : '\n'}`);
      }
      if (now - lostSince > reconnectFor) {
        if (deps.progress.isTTY) deps.progress.write('\n');
        throw err;
      }
      await pause(deps, opts);
      continue;
    }
    const s = result.snapshot;
    await predictions.refresh(s.nodes.filter((n) => n.state === 'inFlight' && n.taskId !== null).map((n) => n.taskId!));
    const now = deps.now();
    const eta = estimateEta(s, predictions.known, started, now);
    const elapsed = now - started;
    if (deps.progress.isTTY) {
      deps.progress.write(`\r\x1b[K${renderProgressBar(s, eta, elapsed, deps.progress.columns)}${s.terminal ? '\n' : ''}`);
    } else {
      const key = `${s.status} ${s.done} ${s.failed} ${s.skipped} ${s.running} ${s.queued} ${s.waiting}`;
      if (s.terminal || key !== lastPlain.key || now - lastPlain.at >= plainEvery) {
        deps.progress.write(`${renderProgressLine(s, eta, elapsed)}\n`);
        lastPlain = { key, at: now };
      }
    }
    if (s.terminal) return result;
    if (opts.waitTimeoutMs !== undefined && elapsed >= opts.waitTimeoutMs) {
      if (deps.progress.isTTY) deps.progress.write('\n');
      throw new CliError('WAIT_TIMEOUT', `gave up waiting after ${formatDuration(elapsed)}; the ${kind} is still ${s.status}`, `follow it again with: kairos watch ${id}`);
    }
    await pause(deps, opts);
  }
}

async function pause(deps: WatchDeps, opts: WatchOptions): Promise<void> {
  await deps.sleep(opts.intervalMs, opts.signal);
  if (opts.signal?.aborted) {
    if (deps.progress.isTTY) deps.progress.write('\n');
    throw new CliError('INTERRUPTED', 'stopped watching; the run goes on');
  }
}

async function fetchTask(deps: WatchDeps, id: string): Promise<WatchResult> {
  const view = await deps.client.getTask(id);
  return { kind: 'task', view, snapshot: taskSnapshot(view) };
}

async function fetchWorkflow(deps: WatchDeps, id: string): Promise<WatchResult> {
  const view = await deps.client.getWorkflow(id);
  return { kind: 'workflow', view, snapshot: workflowSnapshot(view) };
}

function isTransient(err: unknown): boolean {
  if (!(err instanceof KairosClientError)) return false;
  return err.code === 'UNREACHABLE' || err.code === 'TIMEOUT' || (err.code === 'API_ERROR' && (err.status === 502 || err.status === 503 || err.status === 504));
}
