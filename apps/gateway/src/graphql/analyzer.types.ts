import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from './json.scalar';

// The analyzer's and the gateway's admin resources, field for field as their REST views; nested
// metrics, gates, evidence and actions are JSON with the REST API's shapes (as in graphql.types.ts).

@ObjectType({ description: 'A registered model version (GET /api/models/:name/versions items)' })
export class ModelVersion {
  @Field() name!: string;
  @Field(() => Int) version!: number;
  @Field({ description: 'candidate, production or archived' }) stage!: string;
  @Field(() => JSONScalar, { description: 'validation metrics (MAE, MAPE, p90 coverage, baseline …)' }) metrics!: unknown;
  @Field(() => JSONScalar) trainingWindow!: unknown;
  @Field(() => [String]) features!: string[];
  @Field() featureSchemaHash!: string;
  @Field() backend!: string;
  @Field(() => JSONScalar) artifact!: unknown;
  @Field() artifactFormat!: string;
  @Field() createdAt!: string;
  @Field() createdBy!: string;
  @Field(() => String, { nullable: true }) notes?: string | null;
  @Field() stageChangedAt!: string;
}

@ObjectType({ description: 'A stage change in the registry audit trail' })
export class ModelStageChange {
  @Field(() => Int) version!: number;
  @Field(() => String, { nullable: true }) from!: string | null;
  @Field() to!: string;
  @Field({ description: 'register, promote, rollback or archive' }) reason!: string;
  @Field() at!: string;
  @Field() by!: string;
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => JSONScalar, { nullable: true, description: "the deploy gate's verdict on a promotion" }) gate?: unknown;
}

@ObjectType({ description: 'A model with its production version (GET /api/models items)' })
export class ModelSummary {
  @Field() name!: string;
  @Field(() => Int, { description: 'how many versions are registered' }) versions!: number;
  @Field(() => ModelVersion, { nullable: true }) production!: ModelVersion | null;
  @Field(() => Int) revision!: number;
}

@ObjectType({ description: 'Every version of a model, oldest first, and the stage history (GET /api/models/:name/versions)' })
export class ModelVersions {
  @Field() name!: string;
  @Field(() => [ModelVersion]) versions!: ModelVersion[];
  @Field(() => [ModelStageChange]) history!: ModelStageChange[];
}

@ObjectType({ description: 'Drift reports of a model and the policy that judges them (GET /api/models/:name/drift)' })
export class ModelDrift {
  @Field() name!: string;
  @Field(() => JSONScalar, { nullable: true }) policy!: unknown;
  @Field(() => [JSONScalar]) reports!: unknown[];
}

@ObjectType({ description: 'The duration estimate made when a task was queued (GET /api/predictions/:taskId)' })
export class Prediction {
  @Field(() => ID) taskId!: string;
  @Field() signature!: string;
  @Field(() => Float) p50Ms!: number;
  @Field(() => Float) p90Ms!: number;
  @Field() model!: string;
  @Field() modelVersion!: string;
  @Field(() => Int) basedOn!: number;
  @Field() estimatedAt!: string;
}

@ObjectType({ description: 'Task patterns: k-means clusters over recent succeeded tasks (GET /api/patterns)' })
export class PatternReport {
  @Field(() => Int) tasks!: number;
  @Field(() => Int) k!: number;
  @Field(() => [JSONScalar]) patterns!: unknown[];
  @Field(() => JSONScalar) silhouetteByK!: unknown;
}

@ObjectType({ description: 'Anomaly scores of one node metric over the window (GET /api/anomalies items)' })
export class AnomalyStream {
  @Field() nodeId!: string;
  @Field() metric!: string;
  @Field(() => Int) points!: number;
  @Field(() => Float, { nullable: true }) latest!: number | null;
  @Field(() => Float, { nullable: true }) max!: number | null;
  @Field(() => String, { nullable: true }) maxAt!: string | null;
  @Field(() => Int) samplesSeen!: number;
  @Field({ description: 'still in its probationary period (scores 0)' }) learning!: boolean;
}

@ObjectType({ description: 'A diagnosis and what was decided (GET /api/diagnoses items)' })
export class Diagnosis {
  @Field(() => ID) id!: string;
  @Field() ruleId!: string;
  @Field(() => JSONScalar) target!: unknown;
  @Field(() => Float) confidence!: number;
  @Field() explanation!: string;
  @Field(() => JSONScalar) evidence!: unknown;
  @Field(() => JSONScalar) action!: unknown;
  @Field({ description: 'sent, dry-run or suppressed' }) outcome!: string;
  @Field() reason!: string;
  @Field(() => String, { nullable: true }) actionId!: string | null;
  @Field() decidedBy!: string;
  @Field() decidedAt!: string;
}

@ObjectType()
export class DiagnosisPage {
  @Field(() => [Diagnosis]) items!: Diagnosis[];
  @Field(() => String, { nullable: true, description: 'pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

@ObjectType({ description: 'A diagnosis rule (GET /api/diagnosis/rules items)' })
export class DiagnosisRule {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() description!: string;
  @Field() enabled!: boolean;
  @Field({ description: 'node or queue' }) target!: string;
  @Field({ description: 'all or any' }) match!: string;
  @Field(() => [JSONScalar]) conditions!: unknown[];
  @Field(() => JSONScalar) action!: unknown;
  @Field(() => Int) minSamples!: number;
}

@ObjectType()
export class RepairPage {
  @Field(() => [JSONScalar], { description: 'repair requests and their outcome, newest first (GET /api/repairs items)' }) items!: unknown[];
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

@ObjectType({ description: 'An API key without its secret (GET /api/keys items)' })
export class ApiKey {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String]) scopes!: string[];
  @Field() createdBy!: string;
  @Field() createdAt!: string;
  @Field(() => String, { nullable: true }) revokedAt!: string | null;
}

@ObjectType({ description: 'A new API key: the only time its secret is shown' })
export class CreatedApiKey extends ApiKey {
  @Field() key!: string;
}

@ObjectType({ description: 'A schedule with its executor state and next tick (GET /api/schedules/:id); the definition fields are the POST /api/schedules body' })
export class Schedule {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => JSONScalar, { description: "{ kind: 'task', task } or { kind: 'workflow', workflow }" }) template!: unknown;
  @Field(() => JSONScalar, { description: 'cron (with seconds and time zone) or interval' }) trigger!: unknown;
  @Field(() => String, { nullable: true }) startAt?: string | null;
  @Field(() => String, { nullable: true }) endAt?: string | null;
  @Field(() => JSONScalar) misfire!: unknown;
  @Field({ description: 'allow, forbid or replace' }) concurrency!: string;
  @Field(() => Int) jitterMs!: number;
  @Field(() => Int) shards!: number;
  @Field(() => JSONScalar, { nullable: true }) circuitBreaker?: unknown;
  @Field() paused!: boolean;
  @Field() createdAt!: string;
  @Field(() => Int) revision!: number;
  @Field() updatedAt!: string;
  @Field(() => String, { nullable: true }) deletedAt!: string | null;
  @Field(() => JSONScalar, { nullable: true, description: "the executor's state: decidedThrough and the circuit breaker; null before the first tick" }) state!: unknown;
  @Field(() => String, { nullable: true }) nextTickAt!: string | null;
}

@ObjectType({ description: 'A tick of a schedule: fired (its task) or skipped (why) (GET /api/schedules/:id/ticks items)' })
export class ScheduleTick {
  @Field() tickAt!: string;
  @Field(() => Int) shard!: number;
  @Field(() => Int) shardCount!: number;
  @Field({ description: 'fired or skipped' }) outcome!: string;
  @Field(() => String, { nullable: true }) skipReason!: string | null;
  @Field(() => String, { nullable: true }) detail!: string | null;
  @Field(() => ID, { nullable: true }) taskId!: string | null;
  @Field(() => String, { nullable: true }) taskStatus!: string | null;
  @Field(() => Int, { nullable: true }) attempts!: number | null;
  @Field(() => String, { nullable: true }) fireAt!: string | null;
  @Field(() => String, { nullable: true }) firedAt!: string | null;
  @Field(() => String, { nullable: true }) startedAt!: string | null;
  @Field(() => String, { nullable: true }) finishedAt!: string | null;
  @Field(() => Float, { nullable: true }) delayMs!: number | null;
  @Field() catchUp!: boolean;
  @Field() trial!: boolean;
}

@ObjectType({ description: 'One tick run by hand: its instant and the tasks submitted (POST /api/schedules/:id/trigger)' })
export class ScheduleTrigger {
  @Field() tickAt!: string;
  @Field(() => [JSONScalar], { description: 'the submitted tasks, as GET /api/tasks/:id without attempts and events' }) tasks!: unknown[];
}
