import { Args, Context, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { RequireScope, tenantAccessOf } from '@kairos/runtime';
import { DecisionListQuerySchema, TaskDecisionsQuerySchema } from '../decisions/decisions.controller';
import { DecisionsService } from '../decisions/decisions.service';
import { TaskIdSchema } from '../tasks/tasks.controller';
import { parseOrThrow } from '../tasks/parse-body';
import { JSONScalar } from './json.scalar';

const asRest = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
/** GraphQL arguments as the REST query string would carry them (absent ones left out). */
const query = (args: Record<string, string | number | undefined>) => Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));

/** The decision records of GET /api/tasks/:id/decisions and GET /api/decisions, same validation and tenant rule. */
@Resolver()
export class DecisionsResolver {
  constructor(private readonly records: DecisionsService) {}

  @Query(() => JSONScalar, { description: "A task's decision records, oldest first: { items } (GET /api/tasks/:id/decisions; kind: comma-separated kinds); another tenant's task has none" })
  @RequireScope('read')
  async taskDecisions(@Context('req') req: object, @Args('taskId', { type: () => ID }) taskId: string, @Args('kind', { nullable: true }) kind?: string): Promise<unknown> {
    const q = parseOrThrow(TaskDecisionsQuerySchema, query({ kind }), 'query');
    return asRest(await this.records.forTask(parseOrThrow(TaskIdSchema, taskId, 'taskId'), tenantAccessOf(req), q.kind));
  }

  @Query(() => JSONScalar, { description: "Decision records by kind, node and time range, newest first: { items, nextCursor } (GET /api/decisions); a non-admin key sees only its tenant's tasks' decisions" })
  @RequireScope('read')
  async decisions(
    @Context('req') req: object,
    @Args('kind', { nullable: true }) kind?: string,
    @Args('nodeId', { nullable: true }) nodeId?: string,
    @Args('from', { nullable: true }) from?: string,
    @Args('to', { nullable: true }) to?: string,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { nullable: true }) cursor?: string,
  ): Promise<unknown> {
    return asRest(await this.records.list(parseOrThrow(DecisionListQuerySchema, query({ kind, nodeId, from, to, limit, cursor }), 'query'), tenantAccessOf(req)));
  }
}
