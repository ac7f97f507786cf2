import { randomUUID } from 'node:crypto';
import { Args, Context, ID, Int, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { queryParams, RerunWorkflowSchema, SubmitRepairSchema, SubmitTaskSchema, isTerminalStatus } from '@kairos/contracts';
import { PAGE_QUERY, RequireScope, tenantAccessOf, type TenantAccess, UNRESTRICTED_ACCESS } from '@kairos/runtime';
import { DeadLetterService } from '../dead-letters/dead-letter.service';
import { GatewayError } from '../errors/gateway.errors';
import { QueueNameSchema, QueuePolicySchema } from '../queues/queues.controller';
import { QueuePolicyService } from '../queues/queue-policy.service';
import { RepairRequestService } from '../repairs/repair-request.service';
import { StatsService } from '../stats/stats.service';
import { parseOrThrow } from '../tasks/parse-body';
import { TaskSubmissionService } from '../tasks/task-submission.service';
import { TaskIdSchema, TaskListQuerySchema } from '../tasks/tasks.controller';
import { validateWorkflow } from '../workflows/workflow-validation';
import { WorkflowService } from '../workflows/workflow.service';
import { WorkflowIdSchema, WorkflowListQuerySchema } from '../workflows/workflows.controller';
import { ClusterNode, DeadLetter, QueueList, RepairPage, Stats, Task, TaskDetail, TaskPage, TaskSubmission, Workflow, WorkflowPage } from './graphql.types';
import { JSONScalar } from './json.scalar';
import { PollingIterator } from './polling-iterator';
import { nodeStep, type NodeCursor } from './subscription-steps';

/** Exactly what REST sends: the JSON serialisation of the same service result (dates as ISO strings). */
const asRest = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
/** Arguments as REST would get them in its query string or body (absent ones left out). */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The tenants a GraphQL operation may see: the key the guard authenticated on the context's request (REST's rule). */
type GqlContext = { req?: object };
const accessOf = (ctx: GqlContext | undefined): TenantAccess => tenantAccessOf(ctx?.req ?? {});

/** How often a subscription polls PostgreSQL for new events (ordered there, so delivered in order). */
const POLL_MS = 250;

/**
 * GraphQL over the gateway's own services: the same reads, writes, validation (the zod contracts),
 * errors (stable codes in `extensions.code`) and scopes as REST.
 */
@Resolver()
export class KairosResolver {
  constructor(
    private readonly tasks: TaskSubmissionService,
    private readonly workflows: WorkflowService,
    private readonly queues: QueuePolicyService,
    private readonly stats: StatsService,
    private readonly deadLetters: DeadLetterService,
    private readonly repairs: RepairRequestService,
  ) {}

  // ---- queries (scope read) ----

  @Query(() => TaskDetail, { description: 'A task with its attempts and lifecycle events' })
  @RequireScope('read')
  async task(@Args('id', { type: () => ID }) id: string, @Context() ctx?: GqlContext): Promise<TaskDetail> {
    return asRest(await this.tasks.get(parseOrThrow(TaskIdSchema, id, 'task id'), accessOf(ctx))) as TaskDetail;
  }

  @Query(() => [Task], { description: 'Task summaries, newest first: the first page of GET /api/tasks (limit ≤ 1000; cursor paging is REST-only)' })
  @RequireScope('read')
  async tasksList(
    @Args('status', { nullable: true }) status?: string,
    @Args('queue', { nullable: true }) queue?: string,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('tenant', { nullable: true, description: 'Admin keys only: one tenant\'s tasks' }) tenant?: string,
    @Context() ctx?: GqlContext,
  ): Promise<Task[]> {
    return asRest((await this.tasks.list(parseOrThrow(TaskListQuerySchema, defined({ status, queue, tenant, limit: limit === undefined ? undefined : String(limit) }), 'query'), accessOf(ctx))).items) as Task[];
  }

  @Query(() => TaskPage, { description: 'Task summaries, newest first, a page at a time (GET /api/tasks: status, queue, limit 1..1000 default 100, cursor)' })
  @RequireScope('read')
  async tasksPage(
    @Args('status', { nullable: true }) status?: string,
    @Args('queue', { nullable: true }) queue?: string,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { nullable: true }) cursor?: string,
    @Args('tenant', { nullable: true, description: 'Admin keys only: one tenant\'s tasks' }) tenant?: string,
    @Context() ctx?: GqlContext,
  ): Promise<TaskPage> {
    return asRest(await this.tasks.list(parseOrThrow(TaskListQuerySchema, defined({ status, queue, tenant, limit: limit === undefined ? undefined : String(limit), cursor }), 'query'), accessOf(ctx))) as TaskPage;
  }

  @Query(() => Workflow, { description: 'A workflow run with its tasks and edges' })
  @RequireScope('read')
  async workflow(@Args('id', { type: () => ID }) id: string, @Context() ctx?: GqlContext): Promise<Workflow> {
    return asRest(await this.workflows.get(parseOrThrow(WorkflowIdSchema, id, 'workflow id'), accessOf(ctx))) as Workflow;
  }

  @Query(() => [Workflow], { description: 'Workflow runs, newest first (without tasks and edges): the first page of GET /api/workflows' })
  @RequireScope('read')
  async workflowsList(
    @Args('status', { nullable: true }) status?: string,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('tenant', { nullable: true, description: 'Admin keys only: one tenant\'s runs' }) tenant?: string,
    @Context() ctx?: GqlContext,
  ): Promise<Workflow[]> {
    return asRest((await this.workflows.list(parseOrThrow(WorkflowListQuerySchema, defined({ status, tenant, limit: limit === undefined ? undefined : String(limit) }), 'query'), accessOf(ctx))).items) as Workflow[];
  }

  @Query(() => WorkflowPage, { description: 'Workflow runs, newest first, a page at a time (GET /api/workflows: status, limit, cursor)' })
  @RequireScope('read')
  async workflowsPage(
    @Args('status', { nullable: true }) status?: string,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { nullable: true }) cursor?: string,
    @Args('tenant', { nullable: true, description: 'Admin keys only: one tenant\'s runs' }) tenant?: string,
    @Context() ctx?: GqlContext,
  ): Promise<WorkflowPage> {
    return asRest(await this.workflows.list(parseOrThrow(WorkflowListQuerySchema, defined({ status, tenant, limit: limit === undefined ? undefined : String(limit), cursor }), 'query'), accessOf(ctx))) as WorkflowPage;
  }

  @Query(() => QueueList, { description: 'Queues with their policy, placement, limit and load' })
  @RequireScope('read')
  async queuesList(): Promise<QueueList> {
    return asRest(await this.queues.list()) as QueueList;
  }

  @Query(() => Stats, { description: 'Task counts, nodes and completions per minute' })
  @RequireScope('read')
  async clusterStats(@Context() ctx?: GqlContext): Promise<Stats> {
    return asRest(await this.stats.stats(accessOf(ctx))) as unknown as Stats;
  }

  @Query(() => [ClusterNode], { description: 'Executor nodes' })
  @RequireScope('read')
  async nodes(): Promise<ClusterNode[]> {
    // Nodes are the cluster's, not a tenant's (only the task counts of stats are scoped).
    return asRest((await this.stats.stats(UNRESTRICTED_ACCESS)).nodes) as unknown as ClusterNode[];
  }

  @Query(() => [DeadLetter], { description: 'Messages consumers rejected, newest first (the first 100), with the reason and the first 1,000 characters of the original' })
  @RequireScope('read')
  async deadLettersList(): Promise<DeadLetter[]> {
    return asRest((await this.deadLetters.recent({ limit: 100 })).items) as unknown as DeadLetter[];
  }

  @Query(() => [JSONScalar], { description: 'Audit of repair actions, newest first (the first 100)' })
  @RequireScope('read')
  async repairsList(): Promise<unknown[]> {
    return asRest((await this.repairs.audit({ limit: 100 })).items);
  }

  @Query(() => RepairPage, { description: 'Audit of repair actions, newest first, a page at a time (GET /api/repairs: limit 1..1000 default 100, cursor)' })
  @RequireScope('read')
  async repairsPage(@Args('limit', { type: () => Int, nullable: true }) limit?: number, @Args('cursor', { nullable: true }) cursor?: string): Promise<RepairPage> {
    return asRest(await this.repairs.audit(parseOrThrow(queryParams(PAGE_QUERY), defined({ limit: limit === undefined ? undefined : String(limit), cursor }), 'query')));
  }

  // ---- mutations: the REST writes ----

  @Mutation(() => TaskSubmission, { description: 'Submit a task (the POST /api/tasks body)' })
  @RequireScope('submit')
  async submitTask(@Args('input', { type: () => JSONScalar }) input: unknown, @Context() ctx?: GqlContext): Promise<TaskSubmission> {
    return asRest(await this.tasks.submit(parseOrThrow(SubmitTaskSchema, input, 'task'), randomUUID(), accessOf(ctx).tenant)) as TaskSubmission;
  }

  @Mutation(() => Task, { description: 'Cancel a queued or running task' })
  @RequireScope('operate')
  async cancelTask(@Args('id', { type: () => ID }) id: string, @Context() ctx?: GqlContext): Promise<Task> {
    return asRest(await this.tasks.requestCancel(parseOrThrow(TaskIdSchema, id, 'task id'), accessOf(ctx))) as Task;
  }

  @Mutation(() => Workflow, { description: 'Submit a DAG workflow (the POST /api/workflows body)' })
  @RequireScope('submit')
  async submitWorkflow(@Args('input', { type: () => JSONScalar }) input: unknown, @Context() ctx?: GqlContext): Promise<Workflow> {
    const v = validateWorkflow(input);
    if (!v.ok) throw new GatewayError('VALIDATION_FAILED', `invalid workflow: ${v.issues.join('; ')}`, { issues: v.issues });
    return asRest(await this.workflows.submit(v.spec, v.dag, randomUUID(), accessOf(ctx).tenant)) as Workflow;
  }

  @Mutation(() => Workflow, { description: "Re-run a finished workflow's failed tasks (and `force`d ones) and everything downstream" })
  @RequireScope('operate')
  async rerunWorkflow(@Args('id', { type: () => ID }) id: string, @Args('force', { type: () => [String], nullable: true }) force?: string[], @Context() ctx?: GqlContext): Promise<Workflow> {
    const { force: f } = parseOrThrow(RerunWorkflowSchema, defined({ force }), 'rerun request');
    return asRest(await this.workflows.rerun(parseOrThrow(WorkflowIdSchema, id, 'workflow id'), f, randomUUID(), accessOf(ctx))) as Workflow;
  }

  @Mutation(() => Workflow, { description: 'Cancel a running workflow' })
  @RequireScope('operate')
  async cancelWorkflow(@Args('id', { type: () => ID }) id: string, @Context() ctx?: GqlContext): Promise<Workflow> {
    return asRest(await this.workflows.cancel(parseOrThrow(WorkflowIdSchema, id, 'workflow id'), accessOf(ctx))) as Workflow;
  }

  @Mutation(() => JSONScalar, { description: 'Change a queue: policy, placement, maxConcurrent (null lifts the limit); omitted ones are kept' })
  @RequireScope('operate')
  async setQueuePolicy(
    @Args('queue') queue: string,
    @Args('policy', { nullable: true }) policy?: string,
    @Args('placement', { nullable: true }) placement?: string,
    @Args('maxConcurrent', { type: () => Int, nullable: true }) maxConcurrent?: number | null,
  ): Promise<unknown> {
    return this.queues.set(parseOrThrow(QueueNameSchema, queue, 'queue name'), parseOrThrow(QueuePolicySchema, defined({ policy, placement, maxConcurrent }), 'queue policy'));
  }

  @Mutation(() => JSONScalar, { description: 'Request a repair action (the POST /api/repairs body)' })
  @RequireScope('operate')
  requestRepair(@Args('input', { type: () => JSONScalar }) input: unknown): Promise<unknown> {
    return this.repairs.request(parseOrThrow(SubmitRepairSchema, input, 'repair request'));
  }

  // ---- subscriptions (graphql-ws) ----

  @Subscription(() => JSONScalar, {
    description: "Every lifecycle event of a task, in the order they happened (the items of GET /api/tasks/:id's events), from the first; ends after the task's final event",
    resolve: (event: unknown) => event,
  })
  @RequireScope('read')
  async taskEvents(@Args('taskId', { type: () => ID }) taskId: string, @Context() ctx?: GqlContext): Promise<AsyncIterator<unknown>> {
    const id = parseOrThrow(TaskIdSchema, taskId, 'taskId');
    // Another tenant's task is refused here, before the first poll (same 404 as an unknown id).
    if ((await this.tasks.statusOf(id, accessOf(ctx))) === null) throw new GatewayError('TASK_NOT_FOUND', `task ${id} not found`, { taskId: id });
    let sent = 0;
    return new PollingIterator(async () => {
      // Read the status first: once it is terminal, the events read after it include the last one.
      const status = await this.tasks.statusOf(id, UNRESTRICTED_ACCESS); // access checked above
      const events = await this.tasks.events(id);
      const fresh = events.slice(sent);
      sent = events.length;
      return { items: fresh, done: status !== null && isTerminalStatus(status) };
    }, POLL_MS);
  }

  @Subscription(() => Workflow, {
    description: 'A workflow run each time its status, generation or task states change (first its current state); ends when it is no longer running',
    resolve: (w: Workflow) => w,
  })
  @RequireScope('read')
  async workflowUpdates(@Args('workflowId', { type: () => ID }) workflowId: string, @Context() ctx?: GqlContext): Promise<AsyncIterator<Workflow>> {
    const id = parseOrThrow(WorkflowIdSchema, workflowId, 'workflowId');
    await this.workflows.get(id, accessOf(ctx)); // 404 as WORKFLOW_NOT_FOUND before subscribing
    let last = '';
    return new PollingIterator<Workflow>(async () => {
      const w = asRest(await this.workflows.get(id, UNRESTRICTED_ACCESS)) as Workflow; // access checked above
      const state = JSON.stringify([w.status, w.generation, w.tasks?.map((t) => [t.status, t.taskStatus, t.attempts])]);
      const changed = state !== last;
      last = state;
      return { items: changed ? [w] : [], done: w.status !== 'running' && !changed };
    }, POLL_MS);
  }

  @Subscription(() => ClusterNode, {
    description: 'Executor nodes: every node first, then a node each time its status, running count or capacity changes (heartbeats alone are not sent); never ends',
    resolve: (n: ClusterNode) => n,
  })
  @RequireScope('read')
  nodeUpdates(): AsyncIterator<ClusterNode> {
    let cursor: NodeCursor = new Map();
    return new PollingIterator<ClusterNode>(async () => {
      const step = nodeStep(asRest((await this.stats.stats(UNRESTRICTED_ACCESS)).nodes) as unknown as ClusterNode[], cursor);
      cursor = step.cursor;
      return { items: step.items, done: false };
    }, POLL_MS);
  }
}
