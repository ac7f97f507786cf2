import { ModelRegistryError } from './model-registry.errors';
import type { LoadedModelArtifact, ProductionModelSource } from './model-registry.service';
import type { ModelVersion } from './model-version.model';

export interface ProductionModelCacheOptions<M> {
  readonly source: ProductionModelSource;
  readonly name: string;
  /** Turns verified artifact bytes into a ready model (deserialise, warm up). */
  readonly load: (artifact: LoadedModelArtifact) => M | Promise<M>;
  /** Frees a retired model (e.g. tfjs tensors) once no prediction holds it any more. */
  readonly dispose?: (model: M, version: ModelVersion) => void | Promise<void>;
  /** The features the serving path will feed; a production version with another schema is refused. */
  readonly expectedFeatures?: readonly string[];
  readonly onSwap?: (swap: { readonly from?: ModelVersion; readonly to: ModelVersion }) => void;
  /** Load/poll/dispose failures; the cache keeps serving the model it has. */
  readonly onError?: (error: unknown) => void;
}

export type RefreshOutcome =
  | { readonly status: 'swapped'; readonly from?: number; readonly to: number }
  | { readonly status: 'unchanged'; readonly version?: number }
  | { readonly status: 'no-production' }
  | { readonly status: 'failed'; readonly error: unknown };

export interface ServingModel<M> {
  readonly model: M;
  readonly version: ModelVersion;
}

interface Entry<M> {
  readonly model: M;
  readonly version: ModelVersion;
  inFlight: number;
  retired: boolean;
  disposed: boolean;
}

/**
 * Holds the production model of one name in memory and swaps it when the registry changes, without
 * a restart. The swap is one reference assignment after the new model is fully loaded, so a
 * prediction either runs wholly on the old model or wholly on the new one; callers that go through
 * `use`/`useAsync` pin the model they started with, and a retired model is disposed only when its
 * last pinned call has finished. Change detection: `refresh()` polls the store revision (cheap), and
 * `notifyChanged()` is the same call for an event-driven path (e.g. a model-promoted event).
 */
export class ProductionModelCache<M> {
  private active: Entry<M> | undefined;
  private lastRevision = -1;
  private running: Promise<RefreshOutcome> | undefined;
  private queued: Promise<RefreshOutcome> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(private readonly options: ProductionModelCacheOptions<M>) {}

  /** The model serving now, or undefined before the first successful load. */
  current(): ServingModel<M> | undefined {
    return this.active ? { model: this.active.model, version: this.active.version } : undefined;
  }

  /** Runs a synchronous prediction on the current model. */
  use<R>(predict: (model: M, version: ModelVersion) => R): R {
    const entry = this.pin();
    try {
      return predict(entry.model, entry.version);
    } finally {
      this.unpin(entry);
    }
  }

  /** Runs an asynchronous prediction; the model it started on stays alive until it settles. */
  async useAsync<R>(predict: (model: M, version: ModelVersion) => Promise<R>): Promise<R> {
    const entry = this.pin();
    try {
      return await predict(entry.model, entry.version);
    } finally {
      this.unpin(entry);
    }
  }

  /**
   * Checks the registry and swaps if production moved. Never rejects: failures come back as
   * `{ status: 'failed' }` (and go to onError) while the old model keeps serving. Calls made while a
   * refresh is running coalesce into one follow-up refresh, so no notification is lost.
   */
  refresh(): Promise<RefreshOutcome> {
    if (this.running) {
      this.queued ??= this.running.then(() => {
        this.queued = undefined;
        return this.refresh();
      });
      return this.queued;
    }
    const run = this.checkAndSwap().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Event-driven entry point: something says the registry changed. */
  notifyChanged(): Promise<RefreshOutcome> {
    return this.refresh();
  }

  /** Polls the revision every `intervalMs`; returns a stop function. The timer does not keep the process alive. */
  startPolling(intervalMs: number): () => void {
    this.stopPolling();
    const timer = setInterval(() => void this.refresh(), intervalMs);
    timer.unref?.();
    this.timer = timer;
    return () => this.stopPolling();
  }

  stopPolling(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops polling and retires the current model (disposed once idle); later `use` calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopPolling();
    await this.running;
    const entry = this.active;
    this.active = undefined;
    if (entry) this.retire(entry);
  }

  private async checkAndSwap(): Promise<RefreshOutcome> {
    if (this.closed) return { status: 'unchanged' };
    const { source, name } = this.options;
    try {
      const revision = await source.revision(name);
      if (revision === this.lastRevision) return { status: 'unchanged', version: this.active?.version.version };
      const production = await source.getProduction(name);
      if (!production) {
        this.lastRevision = revision;
        return { status: 'no-production' };
      }
      if (this.active && this.active.version.version === production.version) {
        this.lastRevision = revision;
        return { status: 'unchanged', version: production.version };
      }
      const artifact = await source.loadArtifact(name, production.version, this.options.expectedFeatures);
      const model = await this.options.load(artifact);
      if (this.closed) {
        await this.options.dispose?.(model, artifact.version);
        return { status: 'unchanged' };
      }
      const previous = this.active;
      this.active = { model, version: artifact.version, inFlight: 0, retired: false, disposed: false };
      this.lastRevision = revision;
      if (previous) this.retire(previous);
      this.options.onSwap?.({ ...(previous ? { from: previous.version } : {}), to: artifact.version });
      return { status: 'swapped', ...(previous ? { from: previous.version.version } : {}), to: artifact.version.version };
    } catch (error) {
      // lastRevision is left alone so the next poll tries again.
      this.options.onError?.(error);
      return { status: 'failed', error };
    }
  }

  private pin(): Entry<M> {
    const entry = this.active;
    if (!entry) {
      throw new ModelRegistryError('NO_PRODUCTION_VERSION', `no production model of ${this.options.name} is loaded`, {
        name: this.options.name,
      });
    }
    entry.inFlight++;
    return entry;
  }

  private unpin(entry: Entry<M>): void {
    entry.inFlight--;
    if (entry.retired && entry.inFlight === 0) this.disposeEntry(entry);
  }

  private retire(entry: Entry<M>): void {
    entry.retired = true;
    if (entry.inFlight === 0) this.disposeEntry(entry);
  }

  private disposeEntry(entry: Entry<M>): void {
    if (entry.disposed || !this.options.dispose) return;
    entry.disposed = true;
    try {
      const result = this.options.dispose(entry.model, entry.version);
      if (result instanceof Promise) result.catch((error: unknown) => this.options.onError?.(error));
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
