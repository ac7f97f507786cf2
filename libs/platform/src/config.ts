import { z } from 'zod';
import { API_KEY_PATTERN } from './security/api-key';
import { isBase64Key32 } from './security/secret-key.format';
import { DEFAULT_TASK_ENV_ALLOW } from './security/task-env';

/**
 * Every setting Kairos reads, validated once at boot. process.env is read only here; a bad value
 * fails fast naming the variable.
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** A comma-separated list; every item must match `item` (the message names the bad one). */
const list = (item: RegExp, what: string) =>
  z.string().transform((s, ctx) => {
    const items = s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
    for (const x of items) if (!item.test(x)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(x.slice(0, 100))} is not ${what}` });
    return items;
  });
const HOST_NAME = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)(:\d{1,5})?$/;
const ORIGIN = /^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)(:\d{1,5})?$/;
const NODE_ENTRY = String.raw`[a-zA-Z0-9_.-]+:\d+:\d+(:(\d+|\d+-\d+)(:[A-Za-z0-9_.-]+)?)?`;
const base64Key = z.string().refine(isBase64Key32, 'must be base64 of 32 random bytes (generate one with `openssl rand -base64 32`)');

/** Variables whose values never appear in an error message. */
export const SECRET_CONFIG_VARIABLES: ReadonlySet<string> = new Set(['KAIROS_SECRET_KEY', 'KAIROS_SECRET_KEY_PREVIOUS', 'KAIROS_ADMIN_KEY', 'DATABASE_URL']);

export const ConfigSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** postgres://… selects a PostgreSQL server; unset means embedded PGlite under DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  /** Embedded database only: ms between two single-table VACUUM (ANALYZE) steps (PGlite has no autovacuum); 0 = off. */
  EMBEDDED_VACUUM_MS: int(0, 3_600_000).default(60_000),
  /** Embedded database only: statements slower than this many ms are written to stderr (first 300 characters, no parameters); 0 = off. */
  EMBEDDED_SLOW_STATEMENT_MS: int(0, 3_600_000).default(0),
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
  /** Partitions each consumer group handles at once (one message per partition in flight); more needs topics with more partitions. */
  KAFKA_PARTITIONS_CONCURRENTLY: int(1, 1_000).default(6),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EXECUTOR_ID: z.string().min(1).optional(),
  /**
   * Nodes this executor registers: name:cpuMillis:memMb[:gpus[:model]][,…], gpus a count (devices
   * 0..N-1) or a device range i-j; unset = one node sized from this host, without GPUs.
   */
  EXECUTOR_NODES: z
    .string()
    .regex(new RegExp(`^${NODE_ENTRY}(,${NODE_ENTRY})*$`), 'must be name:cpuMillis:memMb[:gpus[:model]][,…] (gpus: a count like 2 or a device range like 0-3)')
    .optional(),
  EXECUTOR_SLOTS: int(1, 10_000).default(8),
  /** Record a placement DecisionRecord per claimed task (scheduling_decisions); off saves the O(nodes) re-scoring per dispatch. */
  DECISION_RECORDING: bool.default(true),
  /** Decision records older than this many days are deleted by the executor (hourly). */
  DECISIONS_RETENTION_DAYS: int(1, 3650).default(14),
  /**
   * Retention of finished work (docs/resources.md, Retention), run by the executor in batches. Days a
   * terminal task is kept after it finished, with its attempts and events (0: forever); its lifecycle
   * events alone (outbox rows; 0: as long as the task); its output text alone (0: as long as the task).
   * Workflow runs follow RETENTION_TASKS_DAYS once finished and empty.
   */
  RETENTION_TASKS_DAYS: int(0, 36_500).default(0),
  RETENTION_EVENTS_DAYS: int(0, 36_500).default(0),
  RETENTION_OUTPUTS_DAYS: int(0, 36_500).default(0),
  /** `archive`: an expired task (attempts, events) becomes one gzip-compressed row in task_archive; `delete`: it is removed. */
  RETENTION_MODE: z.enum(['delete', 'archive']).default('archive'),
  /** Rows per retention transaction, and the pause (ms) between two, so the hot path keeps the database. */
  RETENTION_BATCH_SIZE: int(1, 10_000).default(500),
  RETENTION_PAUSE_MS: int(0, 60_000).default(200),
  /** How often (ms) an executor tries to run retention (one at a time cluster-wide, by a lease). */
  RETENTION_INTERVAL_MS: int(1_000, 86_400_000).default(3_600_000),
  /** A node without a heartbeat for this long (ms) is retired: no longer listed (it returns if its executor comes back). */
  NODE_RETIRE_AFTER_MS: int(1_000, 31_536_000_000).default(86_400_000),
  LEASE_MS: int(1000, 3_600_000).default(15_000),
  HEARTBEAT_MS: int(100, 60_000).default(2_000),
  /** A graceful stop (SIGTERM, SIGINT, …) that has not ended the process by then exits it with status 1. */
  SHUTDOWN_TIMEOUT_MS: int(1_000, 600_000).default(30_000),
  /** Schedules: planning lease TTL; after a replica dies, its schedules move to another within this. */
  SCHEDULE_LEASE_MS: int(1_000, 600_000).default(5_000),
  /** Schedules: hash partitions spread over the executors (the same on every replica). */
  SCHEDULE_PARTITIONS: int(1, 4_096).default(64),
  /**
   * Schedules: a tick whose decision cannot change by its instant is decided and its task written this
   * long (ms) ahead, with run_after = the instant; 0 decides every tick at its instant. Below the
   * planner's 3 s horizon minus its 0.5 s refill. Unset: 1,000 with a PostgreSQL server, 2,000 on the
   * embedded database (see CLAIM_AHEAD_MS).
   */
  SCHEDULE_DECIDE_AHEAD_MS: int(0, 2_000).optional(),
  /**
   * A queued task due within this many ms (run_after) is claimed now and started by a timer at its
   * run_after, so its start does not wait on the claim's database round trips; it holds its slot from
   * the claim. 0: claimed once due. Unset: 250 with a PostgreSQL server (a task claimed ahead by an
   * executor that dies waits for its lease), 1,000 on the embedded database (one executor, and one
   * database thread whose longest statements — the analyzer's history pages, a retention batch — must
   * not make a claim late).
   */
  CLAIM_AHEAD_MS: int(0, 2_000).optional(),
  SCHEDULER_POLICY: z.string().default('priority'),
  METRICS_SAMPLE_MS: int(100, 60_000).default(1_000),
  OUTPUT_TAIL_BYTES: int(256, 1_048_576).default(8_192),
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

  // ---- security (docs/security.md) ----
  /** Seals task secrets at rest (AES-256-GCM): base64 of 32 random bytes. Unset in standalone: generated once into DATA_DIR/secret.key. */
  KAIROS_SECRET_KEY: base64Key.optional(),
  /** Earlier KAIROS_SECRET_KEY values, comma-separated: still open what they sealed (rotation). */
  KAIROS_SECRET_KEY_PREVIOUS: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
    .pipe(z.array(base64Key))
    .default([]),
  /** The first admin API key, `kairos_<16 hex>_<43 base64url>`; unset: one is generated and printed once at first start. */
  KAIROS_ADMIN_KEY: z
    .string()
    .regex(API_KEY_PATTERN, 'must be kairos_<16 hex>_<43 base64url characters>; see README (API keys) for a command that makes one')
    .optional(),
  /** Env names containing any of these (case-insensitive) are secret even outside secretEnv. */
  SECRET_ENV_PATTERNS: list(/^[A-Za-z0-9_]+$/, 'letters, digits and _').default(['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'KEY', 'CREDENTIAL']),
  /** HTTP header names (case-insensitive) that are secret even outside secretHeaders. */
  SECRET_HEADERS: list(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name').default(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']),
  /** Server environment variables a task inherits (everything else of the server's environment is withheld). */
  TASK_ENV_ALLOW: list(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').default([...DEFAULT_TASK_ENV_ALLOW]),
  /** Run shell tasks as this unprivileged uid:gid (the executor must run as root to switch). */
  TASK_RUN_AS: z
    .string()
    .regex(/^\d{1,10}:\d{1,10}$/, 'must be uid:gid (numbers)')
    .transform((s) => {
      const [uid, gid] = s.split(':').map(Number);
      return { uid, gid };
    })
    .refine((r) => r.uid !== 0 && r.gid !== 0, 'must not be root (0); unset it to run tasks as the server user')
    .refine((r) => r.uid <= 4_294_967_294 && r.gid <= 4_294_967_294, 'uid and gid must be below 4294967295')
    .optional(),
  /**
   * How a shell task's resource request is enforced: `auto` (a control group per attempt where one is
   * writable, v2 or v1, else rlimits), `cgroup` (refuse to start without a writable cgroup), `rlimit`
   * (per-process address-space limit only: no CPU quota, no whole-tree accounting), `off` (requests
   * are bookkeeping only, the behaviour before limits existed).
   */
  TASK_LIMITS: z.enum(['auto', 'cgroup', 'rlimit', 'off']).default('auto'),
  /**
   * Memory limit = memMb × (1 + this / 100): a request is an estimate, and a task killed a few MB
   * over it helps nobody; 0 makes the request the limit.
   */
  TASK_MEM_HEADROOM_PCT: int(0, 1_000).default(25),
  /** Most processes and threads one attempt may have at once (fork bombs stop here). */
  TASK_PIDS_MAX: int(16, 4_194_304).default(4_096),
  /**
   * The cgroup under which attempt groups are made, as a path inside each hierarchy (e.g.
   * /kairos.slice/tasks); unset: a `kairos` group below the executor's own cgroup. On cgroup v2 it
   * must be delegated to the executor (controllers enabled, no processes of its own).
   */
  TASK_CGROUP_PARENT: z
    .string()
    .regex(/^(\/[A-Za-z0-9_.@-]+)+$/, 'must be an absolute cgroup path like /kairos.slice/tasks (letters, digits, _ . @ -)')
    .refine((p) => !p.split('/').some((seg) => seg === '.' || seg === '..'), 'must not contain . or .. segments')
    .optional(),
  // ---- readiness (GET /health/ready; README: Health and readiness) ----
  /** Unpublished outbox rows of this process's producers above which it is degraded. */
  HEALTH_OUTBOX_MAX_BACKLOG: int(1, 100_000_000).default(5_000),
  /** Age (ms) of the oldest unpublished outbox row above which this process is degraded. */
  HEALTH_OUTBOX_MAX_AGE_MS: int(100, 86_400_000).default(10_000),
  /** A consumer group without a join, heartbeat or fetch for this long (ms) is degraded. */
  HEALTH_KAFKA_MAX_SILENCE_MS: int(100, 86_400_000).default(30_000),

  // ---- distributed mode: the gateway as the one entry point (README: Distributed mode) ----
  /**
   * Where the gateway forwards the endpoints other services own (analyzer: models, predictions,
   * patterns, anomalies, diagnoses, diagnosis rules; collector: /api/metrics; executor:
   * /api/executor): comma-separated base URLs of that service's replicas, tried in turn until one
   * answers. Unset: those endpoints answer 503 naming the variable. Ignored in standalone mode.
   */
  ANALYZER_URLS: list(ORIGIN, 'a base URL like http://analyzer:3002 (no path)').default([]),
  COLLECTOR_URLS: list(ORIGIN, 'a base URL like http://collector:3001 (no path)').default([]),
  EXECUTOR_URLS: list(ORIGIN, 'a base URL like http://executor:3003 (no path)').default([]),
  /** How long the gateway waits for the owning service's answer (504 beyond). */
  GATEWAY_PROXY_TIMEOUT_MS: int(100, 600_000).default(10_000),

  /** Largest request body (bytes) on ordinary routes: 413 beyond. */
  HTTP_BODY_LIMIT_BYTES: int(1_024, 1_073_741_824).default(1_048_576),
  /** Largest body on batch routes (workflow submission: up to 10,000 task specs). */
  HTTP_BATCH_BODY_LIMIT_BYTES: int(1_024, 1_073_741_824).default(16_777_216),
  /** Host header values accepted besides localhost, 127.0.0.1 and [::1] (DNS-rebinding defence): name or name:port. */
  ALLOWED_HOSTS: list(HOST_NAME, 'a host name or host:port').default([]),
  /** Origins (scheme://host[:port]) allowed to call the API from a browser, besides the same origin. */
  ALLOWED_ORIGINS: list(ORIGIN, 'an origin like https://ops.example.com (no path)').default([]),
  /**
   * `keys` (default): every endpoint but /health, /metrics, the dashboard page and /docs needs an API
   * key. `off`: the API is open to whoever reaches the port, allowed only with a loopback HOST (local
   * experiments); a non-loopback HOST is then refused at start.
   */
  KAIROS_AUTH: z.enum(['keys', 'off']).default('keys'),
  /** Executor node agent: host CPU, memory, disk and network sampled every this many ms (published on metrics.batch.v1); 0 turns it off. */
  NODE_AGENT_SAMPLE_MS: z.union([z.literal('0').transform(() => 0), int(500, 3_600_000)]).default(10_000),
  /** Network capacity (Mbit/s) per interface for netPercent (the network-bottleneck rule); default: the speed each interface reports (loopback reports none). */
  NODE_NET_CAPACITY_MBPS: int(1, 10_000_000).optional(),
  /** Interfaces netPercent looks at (comma-separated); default: every interface. */
  NODE_NET_INTERFACES: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .optional(),
  /** Collector time series (docs/producers.md): days each resolution is kept; raw points older than the raw retention are refused. */
  METRICS_RAW_RETENTION_DAYS: int(1, 3_650).default(8),
  METRICS_1M_RETENTION_DAYS: int(1, 3_650).default(31),
  METRICS_5M_RETENTION_DAYS: int(1, 3_650).default(93),
  METRICS_1H_RETENTION_DAYS: int(1, 36_500).default(400),
  /** Points timestamped further ahead of the collector's clock than this are refused. */
  METRICS_MAX_FUTURE_MS: int(0, 86_400_000).default(300_000),
  /** How often the collector rolls new raw points up into 1 min / 5 min / 1 h buckets. */
  METRICS_ROLLUP_EVERY_MS: int(100, 3_600_000).default(5_000),
  /** API requests per second per key, sustained (token bucket); 0 turns the limit off. */
  RATE_LIMIT_PER_SEC: z.coerce.number().min(0).max(1_000_000).default(20),
  /** Requests a key may make at once after a pause. */
  RATE_LIMIT_BURST: int(1, 1_000_000).default(100),
  /** Keys whose buckets are remembered (least recently used dropped first). */
  RATE_LIMIT_MAX_BUCKETS: int(1, 10_000_000).default(10_000),
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
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      const shown = SECRET_CONFIG_VARIABLES.has(name) ? '(value hidden)' : JSON.stringify(relevant[name] ?? '');
      const item = typeof i.path[1] === 'number' ? ` (entry ${i.path[1] + 1})` : '';
      return `${name}=${shown}: ${i.message}${item}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return { ...parsed.data, ...overrides };
}
