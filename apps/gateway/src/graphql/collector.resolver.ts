import { Args, Context, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { RequireScope } from '@kairos/runtime';
import { JSONScalar } from './json.scalar';
import { OwnerRestClient, restPath } from './owner-rest.client';

type Req = { headers: Readonly<Record<string, unknown>> };
const seg = encodeURIComponent;

/**
 * The collector's metric reads over GraphQL, as the analyzer's (see AnalyzerResolver): each field is
 * the REST route, through OwnerRestClient, so results are REST's JSON (series, points, rollups).
 */
@Resolver()
export class CollectorResolver {
  constructor(private readonly owner: OwnerRestClient) {}

  private get<T>(req: Req, path: string): Promise<T> {
    return this.owner.call<T>({ method: 'GET', path, headers: req.headers });
  }

  @Query(() => [JSONScalar], { description: "Resource samples of a task's attempts (GET /api/metrics/tasks/:id)" })
  @RequireScope('read')
  taskMetrics(@Context('req') req: Req, @Args('taskId', { type: () => ID }) taskId: string): Promise<unknown[]> {
    return this.get(req, `/api/metrics/tasks/${seg(taskId)}`);
  }

  @Query(() => JSONScalar, { description: "A node's per-minute rollups over the last hour (GET /api/metrics/nodes/:id/rollups)" })
  @RequireScope('read')
  nodeRollups(@Context('req') req: Req, @Args('nodeId', { type: () => ID }) nodeId: string): Promise<unknown> {
    return this.get(req, `/api/metrics/nodes/${seg(nodeId)}/rollups`);
  }

  @Query(() => JSONScalar, { description: 'Series by metric, source and labels ("host=a,env=prod") (GET /api/metrics/series)' })
  @RequireScope('read')
  metricSeries(
    @Context('req') req: Req,
    @Args('metric', { nullable: true }) metric?: string,
    @Args('source', { nullable: true }) source?: string,
    @Args('labels', { nullable: true }) labels?: string,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
  ): Promise<unknown> {
    return this.get(req, restPath('/api/metrics/series', { metric, source, labels, limit }));
  }

  @Query(() => JSONScalar, { description: 'Range query: from, to (ISO), step (10s, 1m …), agg (avg|min|max|sum|count|p95) (GET /api/metrics/query)' })
  @RequireScope('read')
  metricRange(
    @Context('req') req: Req,
    @Args('metric') metric: string,
    @Args('from') from: string,
    @Args('to') to: string,
    @Args('step') step: string,
    @Args('agg', { nullable: true }) agg?: string,
    @Args('source', { nullable: true }) source?: string,
    @Args('labels', { nullable: true }) labels?: string,
  ): Promise<unknown> {
    return this.get(req, restPath('/api/metrics/query', { metric, source, labels, from, to, step, agg }));
  }

  @Query(() => JSONScalar, { description: 'The newest point of each matching series (GET /api/metrics/latest)' })
  @RequireScope('read')
  metricLatest(
    @Context('req') req: Req,
    @Args('metric') metric: string,
    @Args('source', { nullable: true }) source?: string,
    @Args('labels', { nullable: true }) labels?: string,
  ): Promise<unknown> {
    return this.get(req, restPath('/api/metrics/latest', { metric, source, labels }));
  }
}
