import type { KairosClient } from '@kairos/client';
import type { PredictedDuration } from './eta.estimate';

const RETRY_MISSING_MS = 1_000;
const MAX_TRIES = 5;
const MAX_LOOKUPS_PER_ROUND = 10;

/**
 * Duration predictions of the tasks being watched. The analyzer makes one per task shortly after it
 * is queued and never changes it, so a found prediction is kept; a missing one is asked again a few
 * times (it may not exist yet), then given up. A few lookups per round keep big workflows cheap.
 */
export class PredictionCache {
  private readonly found = new Map<string, PredictedDuration>();
  private readonly missing = new Map<string, { tries: number; lastMs: number }>();
  private available = true;

  constructor(
    private readonly client: Pick<KairosClient, 'predictionForTask'>,
    private readonly now: () => number,
  ) {}

  get known(): ReadonlyMap<string, PredictedDuration> {
    return this.found;
  }

  async refresh(taskIds: readonly string[]): Promise<void> {
    if (!this.available) return;
    let lookups = 0;
    for (const id of taskIds) {
      if (this.found.has(id) || lookups >= MAX_LOOKUPS_PER_ROUND) continue;
      const miss = this.missing.get(id);
      if (miss && (miss.tries >= MAX_TRIES || this.now() - miss.lastMs < RETRY_MISSING_MS)) continue;
      lookups++;
      try {
        const p = await this.client.predictionForTask(id);
        // The moving average answers p50 = 0 with basedOn = 0 before it has seen such a task: no information.
        if (p && p.p50Ms !== null && p.basedOn !== 0) {
          this.found.set(id, { p50Ms: p.p50Ms, p90Ms: p.p90Ms });
          this.missing.delete(id);
        } else {
          this.missing.set(id, { tries: (miss?.tries ?? 0) + 1, lastMs: this.now() });
        }
      } catch {
        // No analyzer behind this URL, or no permission to read predictions: the rate will do.
        this.available = false;
        return;
      }
    }
  }
}
