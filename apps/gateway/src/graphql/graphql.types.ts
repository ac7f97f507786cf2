import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from './json.scalar';

// The GraphQL types mirror the REST views field for field (the same services produce both); nested
// specs, attempts and events are JSON with the REST API's shapes.

@ObjectType({ description: 'A task (GET /api/tasks/:id without attempts and events)' })
export class Task {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field({ description: 'The tenant the task belongs to' }) tenant!: string;
  @Field() queue!: string;
  @Field(() => Int) priority!: number;
  @Field() status!: string;
  @Field(() => Int) attempts!: number;
  @Field(() => Int) maxAttempts!: number;
  @Field(() => JSONScalar) run!: unknown;
  @Field(() => JSONScalar, { nullable: true }) resources!: unknown;
  @Field(() => Int, { nullable: true }) exitCode!: number | null;
  @Field(() => String, { nullable: true }) outputTail!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true }) nodeId!: string | null;
  @Field(() => Float, { nullable: true }) predictedP50Ms!: number | null;
  @Field() createdAt!: string;
  @Field(() => String, { nullable: true }) startedAt!: string | null;
  @Field(() => String, { nullable: true }) finishedAt!: string | null;
  @Field(() => Float, { nullable: true }) durationMs!: number | null;
}

@ObjectType({ description: 'A task with its attempts and lifecycle events (GET /api/tasks/:id)' })
export class TaskDetail extends Task {
  @Field(() => JSONScalar) attemptsDetail!: unknown[];
  @Field(() => [JSONScalar]) events!: unknown[];
  @Field(() => Boolean, { nullable: true, description: 'true when retention archived the task: answered from task_archive (docs/resources.md, Retention)' }) archived?: boolean;
  @Field(() => String, { nullable: true, description: 'when retention archived it' }) archivedAt?: string;
}

@ObjectType()
export class TaskSubmission {
  @Field(() => Task) task!: Task;
  @Field({ description: 'false when an idempotency key matched an earlier identical task' }) created!: boolean;
}

@ObjectType()
export class WorkflowTask {
  @Field() key!: string;
  @Field({ description: 'status in the run: pending, running, succeeded, failed, upstream_failed, cancelled' }) status!: string;
  @Field(() => [String]) dependsOn!: string[];
  @Field(() => ID, { nullable: true }) taskId!: string | null;
  @Field(() => String, { nullable: true }) taskStatus!: string | null;
  @Field(() => Int) attempts!: number;
  @Field(() => Int, { nullable: true }) generation!: number | null;
  @Field(() => Int, { nullable: true }) exitCode!: number | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true }) startedAt!: string | null;
  @Field(() => String, { nullable: true }) finishedAt!: string | null;
}

@ObjectType()
export class WorkflowEdge {
  @Field() from!: string;
  @Field() to!: string;
  @Field() origin!: string;
  @Field(() => [String]) files!: readonly string[];
}

@ObjectType({ description: 'A workflow run; lists carry no tasks and edges (null there)' })
export class Workflow {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'The tenant the run belongs to' }) tenant!: string;
  @Field() status!: string;
  @Field(() => Int) generation!: number;
  @Field(() => JSONScalar) counts!: unknown;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
  @Field(() => String, { nullable: true }) finishedAt!: string | null;
  @Field(() => [WorkflowTask], { nullable: true }) tasks?: WorkflowTask[];
  @Field(() => [WorkflowEdge], { nullable: true }) edges?: WorkflowEdge[];
}

@ObjectType()
export class Queue {
  @Field() queue!: string;
  @Field(() => String, { nullable: true }) policy!: string | null;
  @Field(() => String, { nullable: true }) placement!: string | null;
  @Field(() => Int, { nullable: true }) maxConcurrent!: number | null;
  @Field(() => String, { nullable: true }) updatedAt!: string | null;
  @Field(() => Int) queued!: number;
  @Field(() => Int) running!: number;
}

@ObjectType()
export class QueueList {
  @Field() defaultPolicy!: string;
  @Field(() => [String]) policies!: readonly string[];
  @Field(() => [String]) placements!: readonly string[];
  @Field(() => [Queue]) queues!: Queue[];
}

@ObjectType()
export class ClusterNode {
  @Field(() => ID) id!: string;
  @Field() executorId!: string;
  @Field(() => Int) cpuMillis!: number;
  @Field(() => Int) memMb!: number;
  @Field() status!: string;
  @Field(() => Int) running!: number;
  @Field() lastHeartbeatAt!: string;
}

@ObjectType()
export class Stats {
  @Field(() => JSONScalar, { description: 'task counts by status' }) tasks!: unknown;
  @Field(() => [ClusterNode]) nodes!: ClusterNode[];
  @Field(() => JSONScalar, { description: 'completions per minute and status' }) throughput!: unknown;
}

@ObjectType()
export class DeadLetter {
  @Field(() => ID) eventId!: string;
  @Field() topic!: string;
  @Field() consumer!: string;
  @Field() reason!: string;
  @Field() original!: string;
  @Field(() => Int) originalBytes!: number;
  @Field() failedAt!: string;
}

@ObjectType({ description: 'A page of task summaries (GET /api/tasks)' })
export class TaskPage {
  @Field(() => [Task]) items!: Task[];
  @Field(() => String, { nullable: true, description: 'pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

@ObjectType({ description: 'A page of workflow runs without tasks and edges (GET /api/workflows)' })
export class WorkflowPage {
  @Field(() => [Workflow]) items!: Workflow[];
  @Field(() => String, { nullable: true, description: 'pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
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
  @Field({ description: 'The tenant the key belongs to (what it may see)' }) tenant!: string;
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
  @Field({ description: 'The tenant the schedule belongs to; its tasks are that tenant\'s' }) tenant!: string;
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
