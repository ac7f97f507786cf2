import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analyzer tables.
 * - model_registry: one row per model name; `revision` is the optimistic-concurrency token replicas poll.
 * - model_versions: immutable version records (only stage/stage_changed_at move, through model_stage_changes).
 * - model_stage_changes: append-only audit of stage moves. model_artifacts: content-addressed bytes.
 * - prediction_outcomes: live predictions matched with actual durations (accuracy tracking).
 * - model_drift_reports: every drift assessment and its decision.
 * - diagnosis_rules (rules as data, seeded with the seed-000 rules) and diagnoses (the decision audit).
 * - analyzer_ticks: one claim per periodic job and time slot, so one replica runs each round.
 */
export class Analyzer1732350006000 implements MigrationInterface {
  name = 'Analyzer1732350006000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE model_registry (name text PRIMARY KEY, revision int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE model_artifacts (checksum text PRIMARY KEY, size_bytes int NOT NULL, bytes bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE model_versions (
      name text NOT NULL REFERENCES model_registry(name),
      version int NOT NULL,
      stage text NOT NULL CHECK (stage IN ('candidate', 'production', 'archived')),
      metrics jsonb NOT NULL,
      training_from timestamptz NOT NULL,
      training_to timestamptz NOT NULL,
      features jsonb NOT NULL,
      feature_schema_hash text NOT NULL,
      backend text NOT NULL,
      checksum text NOT NULL REFERENCES model_artifacts(checksum),
      size_bytes int NOT NULL,
      artifact_format text NOT NULL,
      created_by text NOT NULL,
      notes text,
      created_at timestamptz NOT NULL,
      stage_changed_at timestamptz NOT NULL,
      PRIMARY KEY (name, version)
    )`);
    await q.query(`CREATE UNIQUE INDEX model_versions_one_production ON model_versions (name) WHERE stage = 'production'`);
    await q.query(`CREATE TABLE model_stage_changes (
      name text NOT NULL REFERENCES model_registry(name),
      seq int NOT NULL,
      version int NOT NULL,
      from_stage text,
      to_stage text NOT NULL,
      reason text NOT NULL,
      at timestamptz NOT NULL,
      by text NOT NULL,
      note text,
      PRIMARY KEY (name, seq)
    )`);
    await q.query(`CREATE TABLE prediction_outcomes (
      task_id uuid PRIMARY KEY,
      model text NOT NULL,
      model_version text NOT NULL,
      p50_ms double precision NOT NULL,
      p90_ms double precision NOT NULL,
      actual_ms double precision NOT NULL,
      observed_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX prediction_outcomes_model ON prediction_outcomes (model, model_version, observed_at DESC)`);
    await q.query(`CREATE TABLE model_drift_reports (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      version int NOT NULL,
      decision text NOT NULL,
      reasons jsonb NOT NULL,
      report jsonb NOT NULL,
      retrain_requested boolean NOT NULL,
      assessed_by text NOT NULL,
      assessed_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX model_drift_reports_name ON model_drift_reports (name, assessed_at DESC)`);
    await q.query(`CREATE TABLE diagnosis_rules (id text PRIMARY KEY, rule jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE diagnoses (
      id uuid PRIMARY KEY,
      rule_id text NOT NULL,
      target jsonb NOT NULL,
      target_key text NOT NULL,
      confidence double precision NOT NULL,
      explanation text NOT NULL,
      evidence jsonb NOT NULL,
      action jsonb NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('sent', 'dry-run', 'suppressed')),
      reason text NOT NULL,
      action_id uuid,
      decided_by text NOT NULL,
      decided_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX diagnoses_decided ON diagnoses (decided_at DESC)`);
    await q.query(`CREATE INDEX diagnoses_key ON diagnoses (rule_id, target_key, decided_at DESC)`);
    await q.query(`CREATE TABLE analyzer_ticks (job text NOT NULL, slot bigint NOT NULL, claimed_by text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (job, slot))`);
    // The seed-000 rules as they were when this migration landed (frozen here; later edits go through the API).
    for (const rule of SEED_RULES) await q.query(`INSERT INTO diagnosis_rules (id, rule) VALUES ($1, $2::jsonb)`, [rule.id, JSON.stringify(rule)]);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const t of ['analyzer_ticks', 'diagnoses', 'diagnosis_rules', 'model_drift_reports', 'prediction_outcomes', 'model_stage_changes', 'model_versions', 'model_artifacts', 'model_registry']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}

// A frozen copy of libs/ml's SEED_RULES as they were when this migration was written: a migration must
// insert the same rows forever, even after the library's defaults change.
const SEED_RULES = [
  {
    id: 'high-cpu',
    name: 'High CPU',
    description: 'Average CPU above 90 % for 5 minutes: stop placing new work on the node until it cools down.',
    enabled: true,
    target: 'node',
    match: 'all',
    conditions: [{ metric: 'cpuPercent', aggregate: 'avg', windowSec: 300, operator: '>', threshold: 90 }],
    action: { kind: 'cordon_node', nodeId: '{nodeId}' },
    minSamples: 5,
  },
  {
    id: 'memory-leak',
    name: 'Memory leak',
    description: 'Memory grows steadily over 30 minutes (positive slope that a line explains well): drain the node.',
    enabled: true,
    target: 'node',
    match: 'all',
    conditions: [{ metric: 'memMb', aggregate: 'slope', windowSec: 1800, operator: '>', threshold: 0.5, minR2: 0.8 }],
    action: { kind: 'drain_node', nodeId: '{nodeId}' },
    minSamples: 10,
  },
  {
    id: 'network-bottleneck',
    name: 'Network bottleneck',
    description: 'Network utilisation above 85 % (p95 over 5 minutes): ask for one more executor.',
    enabled: true,
    target: 'node',
    match: 'all',
    conditions: [{ metric: 'netPercent', aggregate: 'p95', windowSec: 300, operator: '>', threshold: 85 }],
    action: { kind: 'scale_request', service: 'executor', delta: 1 },
    minSamples: 5,
  },
];
