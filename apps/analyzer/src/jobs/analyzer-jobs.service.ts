import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CLOCK, type Clock, type KairosConfig } from '@kairos/platform';
import { APP_IDENTITY, CONFIG, OutboxRelayService, type AppIdentity } from '@kairos/runtime';
import { ANALYZER_OPTIONS, type AnalyzerOptions } from '../core/analyzer-options';
import { DiagnosisService } from '../diagnosis/diagnosis.service';
import { DurationModelService } from '../models/duration-model.service';
import { TICK_REPOSITORY, type TickRepository } from './tick.repository';

/** The analyzer's periodic jobs: drift checks and diagnosis rounds (each claimed by one replica), feature resyncs. */
@Injectable()
export class AnalyzerJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];

  constructor(
    private readonly durations: DurationModelService,
    private readonly diagnosis: DiagnosisService,
    private readonly relay: OutboxRelayService,
    @Inject(TICK_REPOSITORY) private readonly ticks: TickRepository,
    @Inject(CONFIG) private readonly config: KairosConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
    @Optional() @Inject(ANALYZER_OPTIONS) private readonly options: AnalyzerOptions | null,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options?.timers === false) return;
    this.every('drift', this.config.ANALYZER_DRIFT_INTERVAL_MS, () => this.runDrift());
    this.every('diagnosis', this.config.ANALYZER_DIAGNOSIS_INTERVAL_MS, () => this.runDiagnosis());
    this.every('features', 60_000, () => this.durations.resyncFeatures(), false);
  }

  beforeApplicationShutdown(): void {
    for (const t of this.timers) clearInterval(t);
  }

  async runDrift(): Promise<void> {
    const r = await this.durations.assessDrift();
    if (r && r.report.decision !== 'none') this.id.logger.warn({ decision: r.report.decision, reasons: r.report.reasons }, 'duration model drift');
    this.relay.kick();
  }

  async runDiagnosis(): Promise<void> {
    await this.diagnosis.evaluate();
    this.relay.kick();
  }

  /** A periodic job; with `claim`, the first replica to insert (job, slot) runs the round, the others skip it. */
  private every(job: string, ms: number, fn: () => Promise<void>, claim = true): void {
    const timer = setInterval(() => {
      void (async () => {
        if (claim && !(await this.ticks.claim(job, Math.floor(this.clock.now() / ms), this.id.instanceId))) return;
        await fn();
      })().catch((err: unknown) => this.id.logger.error({ err, job }, 'analyzer periodic job failed'));
    }, ms);
    timer.unref?.();
    this.timers.push(timer);
  }
}
