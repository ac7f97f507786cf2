import { z } from 'zod';

/**
 * Every setting Kairos reads, validated once at boot. process.env is read only here; a bad value
 * fails fast naming the variable.
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const ConfigSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** postgres://… selects a PostgreSQL server; unset means embedded PGlite under DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DATA_DIR: z.string().default('./data'),
  /** PostgreSQL connections per process (ignored for PGlite, which has one). */
  DATABASE_POOL_SIZE: int(1, 1000).default(10),
  /** Comma-separated host:port list; unset means the in-process bus (standalone only). */
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'must be host:port[,host:port…]')
    .optional(),
  KAFKA_CLIENT_ID: z.string().default('kairos'),
  /** Idempotent producer (needs a controller-reporting broker: real Kafka yes, librdkafka's mock no). */
  KAFKA_IDEMPOTENT: bool.default(true),
  /**
   * Consumer-group timing: a consumer that stops heart-beating for the session timeout leaves its
   * group and its partitions move to the other replicas; a rebalance waits at most the rebalance
   * timeout for members to rejoin. Shorter means faster fail-over after a crash, more false alarms.
   */
  KAFKA_SESSION_TIMEOUT_MS: int(1_000, 3_600_000).default(30_000),
  KAFKA_HEARTBEAT_MS: int(100, 600_000).default(3_000),
  KAFKA_REBALANCE_TIMEOUT_MS: int(1_000, 3_600_000).default(60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EXECUTOR_ID: z.string().min(1).optional(),
  /** Nodes this executor registers: name:cpuMillis:memMb[,…]; unset = one node sized from this host. */
  EXECUTOR_NODES: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]+:\d+:\d+(,[a-zA-Z0-9_.-]+:\d+:\d+)*$/, 'must be name:cpuMillis:memMb[,…]')
    .optional(),
  EXECUTOR_SLOTS: int(1, 10_000).default(8),
  LEASE_MS: int(1000, 3_600_000).default(15_000),
  HEARTBEAT_MS: int(100, 60_000).default(2_000),
  SCHEDULER_POLICY: z.string().default('priority'),
  METRICS_SAMPLE_MS: int(100, 60_000).default(1_000),
  OUTPUT_TAIL_BYTES: int(256, 1_048_576).default(8_192),
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  DASHBOARD: bool.default(true),
  /** How often each analyzer replica checks the model registry for a new production version (hot swap). */
  ANALYZER_MODEL_POLL_MS: int(100, 3_600_000).default(5_000),
  /** How often input/error drift of the production duration model is assessed. */
  ANALYZER_DRIFT_INTERVAL_MS: int(1_000, 86_400_000).default(300_000),
  /** Retrain the duration model automatically when the drift policy says so. */
  ANALYZER_AUTO_RETRAIN: bool.default(false),
  /** Most recent tasks read for training, drift and patterns. */
  ANALYZER_HISTORY_ROWS: int(100, 1_000_000).default(20_000),
  /** How often the diagnosis rules are evaluated on recent node metrics. */
  ANALYZER_DIAGNOSIS_INTERVAL_MS: int(1_000, 86_400_000).default(30_000),
  /**
   * Samples of a node metric stream the anomaly detector (ARTime) learns from before it scores
   * (its probationary period; with METRICS_SAMPLE_MS = 1000, 750 samples are 12.5 minutes).
   */
  ANOMALY_PROBATION_SAMPLES: int(16, 100_000).default(750),
  /**
   * Test-only fault injection: POST /internal/faults/consumer-crash/:group makes that consumer group
   * crash (e2e tests of consumer recovery). Never enable in production.
   */
  KAIROS_FAULT_INJECTION: bool.default(false),
  /** Repairs are requested only for diagnoses at or above this confidence (0..1). */
  REPAIR_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.7),
  /** Dry-run: diagnoses and decisions are recorded, no repair.requested event is sent. */
  REPAIR_DRY_RUN: bool.default(true),
  /** No second repair for the same rule and target within this many seconds. */
  REPAIR_COOLDOWN_SEC: int(0, 86_400).default(600),
})
  .superRefine((c, ctx) => {
    if (c.KAFKA_HEARTBEAT_MS >= c.KAFKA_SESSION_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['KAFKA_HEARTBEAT_MS'], message: `must be below KAFKA_SESSION_TIMEOUT_MS (${c.KAFKA_SESSION_TIMEOUT_MS})` });
    }
  });
export type KairosConfig = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
}

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<KairosConfig> = {}): KairosConfig {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') relevant[key] = v;
  }
  const parsed = ConfigSchema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(relevant[String(i.path[0])] ?? '')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return { ...parsed.data, ...overrides };
}
