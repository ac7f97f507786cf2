import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Runs just before each scrape to bring read-at-scrape gauges up to date (e.g. one SQL query). */
export type ScrapeHook = () => Promise<void> | void;

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * One process's Prometheus metrics (prom-client, a registry per process so tests and standalone never
 * collide on the global one). Every series Kairos exports is declared here, once, so standalone (all
 * apps in one process) and the distributed services export the same names; apps feed them:
 * counters and histograms where things happen, gauges through scrape hooks that read the current
 * value when Prometheus asks.
 */
export class KairosMetrics {
  readonly registry = new Registry();
  // gateway
  readonly submissions: Counter<'queue'>;
  // executor
  readonly completions: Counter<'queue' | 'runner' | 'outcome'>;
  readonly decisionSeconds: Histogram<'policy'>;
  readonly claimSeconds: Histogram;
  readonly queueDepth: Gauge<'queue'>;
  readonly queueOldestAgeSeconds: Gauge<'queue'>;
  readonly tasksRunning: Gauge<'queue'>;
  readonly retentionRows: Counter<'kind' | 'action'>;
  readonly retentionBatches: Counter<'step'>;
  readonly retentionLastRunSeconds: Gauge;
  // every service
  readonly outboxBacklog: Gauge<'producer'>;
  readonly outboxOldestAgeSeconds: Gauge<'producer'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly dbPoolConnections: Gauge<'state'>;
  readonly scrapeHookFailures: Counter<'hook'>;
  // analyzer
  readonly modelMetric: Gauge<'model' | 'version' | 'metric'>;
  readonly anomalyScore: Gauge<'node' | 'metric'>;
  private readonly hooks = new Map<string, ScrapeHook>();

  constructor(service: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'kairos_' });
    this.submissions = new Counter({ name: 'kairos_task_submissions_total', help: 'Tasks accepted by the API, by queue', labelNames: ['queue'], registers });
    this.completions = new Counter({
      name: 'kairos_task_completions_total',
      help: 'Task attempts that ended, by queue, runner and outcome (succeeded, failed, timed_out, cancelled, oom_killed, lost)',
      labelNames: ['queue', 'runner', 'outcome'],
      registers,
    });
    this.decisionSeconds = new Histogram({ name: 'kairos_scheduler_decision_seconds', help: 'Time to decide one scheduling pass (ordering and placement), by default policy', labelNames: ['policy'], buckets: SECONDS_BUCKETS, registers });
    this.claimSeconds = new Histogram({ name: 'kairos_task_claim_seconds', help: 'Time to claim the chosen tasks in PostgreSQL (one lease round trip)', buckets: SECONDS_BUCKETS, registers });
    this.queueDepth = new Gauge({ name: 'kairos_queue_depth', help: 'Queued tasks per queue', labelNames: ['queue'], registers });
    this.queueOldestAgeSeconds = new Gauge({ name: 'kairos_queue_oldest_age_seconds', help: 'Age of the oldest queued task per queue', labelNames: ['queue'], registers });
    this.tasksRunning = new Gauge({ name: 'kairos_tasks_running', help: 'Running tasks per queue, cluster-wide', labelNames: ['queue'], registers });
    this.retentionRows = new Counter({
      name: 'kairos_retention_rows_total',
      help: 'Rows retention removed, by kind (tasks, attempts, events, outputs, workflow_runs) and action (archived, deleted, dropped)',
      labelNames: ['kind', 'action'],
      registers,
    });
    this.retentionBatches = new Counter({ name: 'kairos_retention_batches_total', help: 'Retention batches (one transaction each) run by this process, by step', labelNames: ['step'], registers });
    this.retentionLastRunSeconds = new Gauge({ name: 'kairos_retention_last_run_timestamp_seconds', help: 'When this process last completed a retention run (Unix seconds; 0: never)', registers });
    this.outboxBacklog = new Gauge({ name: 'kairos_outbox_backlog', help: 'Events written to the outbox and not yet published, per producer', labelNames: ['producer'], registers });
    this.outboxOldestAgeSeconds = new Gauge({ name: 'kairos_outbox_oldest_age_seconds', help: 'Age of the oldest unpublished outbox event, per producer (0 when none)', labelNames: ['producer'], registers });
    this.consumerLag = new Gauge({ name: 'kairos_kafka_consumer_lag', help: 'Messages behind the partition high watermark after the last batch, per consumer group and partition', labelNames: ['group', 'topic', 'partition'], registers });
    this.dbPoolConnections = new Gauge({ name: 'kairos_db_pool_connections', help: 'PostgreSQL pool connections by state (total, idle, waiting clients)', labelNames: ['state'], registers });
    this.scrapeHookFailures = new Counter({ name: 'kairos_metrics_scrape_hook_failures_total', help: 'Scrape hooks that failed (their gauges keep the last value)', labelNames: ['hook'], registers });
    this.modelMetric = new Gauge({ name: 'kairos_model_metric', help: 'Metrics of the serving model versions (validation and live accuracy, drift)', labelNames: ['model', 'version', 'metric'], registers });
    this.anomalyScore = new Gauge({ name: 'kairos_anomaly_score', help: 'Latest anomaly score per node and metric (0..1)', labelNames: ['node', 'metric'], registers });
  }

  /** Registers (or replaces) a named hook run before every scrape. */
  onScrape(name: string, hook: ScrapeHook): void {
    this.hooks.set(name, hook);
  }

  /** The text exposition, after running every hook (a failing hook is counted; its gauges keep their last values). */
  async render(onHookError?: (name: string, err: unknown) => void): Promise<string> {
    await Promise.all(
      [...this.hooks].map(async ([name, hook]) => {
        try {
          await hook();
        } catch (err) {
          this.scrapeHookFailures.inc({ hook: name });
          onHookError?.(name, err);
        }
      }),
    );
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
