import { Args, Context, Float, ID, Int, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { RequireScope } from '@kairos/runtime';
import { GatewayError } from '../errors/gateway.errors';
import { AnomalyStream, DiagnosisPage, DiagnosisRule, ModelDrift, ModelStageChange, ModelSummary, ModelVersion, ModelVersions, PatternReport, Prediction } from './analyzer.types';
import { JSONScalar } from './json.scalar';
import { restPath, OwnerRestClient, type RestCall } from './owner-rest.client';
import { PollingIterator } from './polling-iterator';
import { anomalyStep, modelHistoryStep, type AnomalyCursor } from './subscription-steps';

/** The GraphQL request (HTTP) or the graphql-ws connection parameters as headers (see graphqlContext). */
type Req = { headers: Readonly<Record<string, unknown>> };
const seg = encodeURIComponent;

/** How often the analyzer subscriptions poll its REST reads (they are cheaper to serve late than to flood). */
const POLL_MS = 1_000;

/**
 * The analyzer's resources over GraphQL: models and versions (stage, accuracy, drift), predictions,
 * patterns, anomalies, diagnoses and rules. Each field is the REST route a client would call,
 * through OwnerRestClient (in process in standalone, the owner proxy in distributed mode), so data,
 * validation, scopes (the owner checks its own on the caller's key, e.g. admin to deploy) and
 * error codes are REST's. Arguments are REST's query parameters and bodies.
 */
@Resolver()
export class AnalyzerResolver {
  constructor(private readonly owner: OwnerRestClient) {}

  private rest<T>(req: Req, method: RestCall['method'], path: string, body?: unknown): Promise<T> {
    return this.owner.call<T>({ method, path, headers: req.headers, body });
  }

  // ---- queries (scope read) ----

  @Query(() => [ModelSummary], { description: 'Registered models with their production version (GET /api/models)' })
  @RequireScope('read')
  models(@Context('req') req: Req): Promise<ModelSummary[]> {
    return this.rest(req, 'GET', '/api/models');
  }

  @Query(() => ModelVersions, { description: 'Every version of a model, oldest first, with the stage history (GET /api/models/:name/versions)' })
  @RequireScope('read')
  modelVersions(@Context('req') req: Req, @Args('name') name: string): Promise<ModelVersions> {
    return this.rest(req, 'GET', `/api/models/${seg(name)}/versions`);
  }

  @Query(() => JSONScalar, { description: 'MAE, MAPE, p90 coverage and bias of live predictions per version (GET /api/models/:name/accuracy)' })
  @RequireScope('read')
  modelAccuracy(@Context('req') req: Req, @Args('name') name: string): Promise<unknown> {
    return this.rest(req, 'GET', `/api/models/${seg(name)}/accuracy`);
  }

  @Query(() => ModelDrift, { description: 'Recent drift reports and their decisions (GET /api/models/:name/drift)' })
  @RequireScope('read')
  modelDrift(@Context('req') req: Req, @Args('name') name: string): Promise<ModelDrift> {
    return this.rest(req, 'GET', `/api/models/${seg(name)}/drift`);
  }

  @Query(() => Prediction, { description: 'The duration estimate made when the task was queued (GET /api/predictions/:taskId)' })
  @RequireScope('read')
  prediction(@Context('req') req: Req, @Args('taskId', { type: () => ID }) taskId: string): Promise<Prediction> {
    return this.rest(req, 'GET', `/api/predictions/${seg(taskId)}`);
  }

  @Query(() => JSONScalar, { description: 'Predict the duration of a task spec now (POST /api/predictions; same body)' })
  @RequireScope('read')
  predictDuration(@Context('req') req: Req, @Args('input', { type: () => JSONScalar }) input: unknown): Promise<unknown> {
    return this.rest(req, 'POST', '/api/predictions', input);
  }

  @Query(() => PatternReport, { description: 'Task patterns over the newest `limit` tasks (GET /api/patterns)' })
  @RequireScope('read')
  patterns(@Context('req') req: Req, @Args('limit', { type: () => Int, nullable: true }) limit?: number): Promise<PatternReport> {
    return this.rest(req, 'GET', restPath('/api/patterns', { limit }));
  }

  @Query(() => [AnomalyStream], { description: 'Anomaly scores of each node metric: latest and peak over windowSec, default 600 (GET /api/anomalies)' })
  @RequireScope('read')
  anomalies(@Context('req') req: Req, @Args('windowSec', { type: () => Int, nullable: true }) windowSec?: number): Promise<AnomalyStream[]> {
    return this.rest(req, 'GET', restPath('/api/anomalies', { windowSec }));
  }

  @Query(() => DiagnosisPage, { description: 'Diagnosis audit, newest first, a page at a time (GET /api/diagnoses; limit 1..1000, default 100)' })
  @RequireScope('read')
  diagnoses(
    @Context('req') req: Req,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { nullable: true }) cursor?: string,
  ): Promise<DiagnosisPage> {
    return this.rest(req, 'GET', restPath('/api/diagnoses', { limit, cursor }));
  }

  @Query(() => [DiagnosisRule], { description: 'Every diagnosis rule (GET /api/diagnosis/rules)' })
  @RequireScope('read')
  diagnosisRules(@Context('req') req: Req): Promise<DiagnosisRule[]> {
    return this.rest(req, 'GET', '/api/diagnosis/rules');
  }

  @Query(() => DiagnosisRule, { description: 'One diagnosis rule (GET /api/diagnosis/rules/:id)' })
  @RequireScope('read')
  diagnosisRule(@Context('req') req: Req, @Args('id', { type: () => ID }) id: string): Promise<DiagnosisRule> {
    return this.rest(req, 'GET', `/api/diagnosis/rules/${seg(id)}`);
  }

  // ---- mutations: the analyzer's REST writes ----

  @Mutation(() => ModelVersion, { description: 'Train the duration model on platform history; registers a candidate (POST /api/models/duration/train; same body)' })
  @RequireScope('operate')
  trainModel(@Context('req') req: Req, @Args('input', { type: () => JSONScalar, nullable: true }) input?: unknown): Promise<ModelVersion> {
    return this.rest(req, 'POST', '/api/models/duration/train', input ?? {});
  }

  @Mutation(() => ModelVersion, { description: 'Promote a candidate through the deploy gate; forceReason overrides a refusal, audited (POST …/versions/:version/deploy; admin)' })
  @RequireScope('admin')
  deployModel(
    @Context('req') req: Req,
    @Args('name') name: string,
    @Args('version', { type: () => Int }) version: number,
    @Args('forceReason', { nullable: true }) forceReason?: string,
  ): Promise<ModelVersion> {
    return this.rest(req, 'POST', `/api/models/${seg(name)}/versions/${version}/deploy`, forceReason === undefined ? {} : { force: { reason: forceReason } });
  }

  @Mutation(() => ModelVersion, { description: 'Archive the production version and restore the one before it (POST /api/models/:name/rollback; admin)' })
  @RequireScope('admin')
  rollbackModel(@Context('req') req: Req, @Args('name') name: string): Promise<ModelVersion> {
    return this.rest(req, 'POST', `/api/models/${seg(name)}/rollback`);
  }

  @Mutation(() => DiagnosisRule, { description: 'Add a diagnosis rule (POST /api/diagnosis/rules; same body; admin)' })
  @RequireScope('admin')
  createDiagnosisRule(@Context('req') req: Req, @Args('input', { type: () => JSONScalar }) input: unknown): Promise<DiagnosisRule> {
    return this.rest(req, 'POST', '/api/diagnosis/rules', input);
  }

  @Mutation(() => DiagnosisRule, { description: 'Replace a diagnosis rule (PUT /api/diagnosis/rules/:id; admin)' })
  @RequireScope('admin')
  replaceDiagnosisRule(@Context('req') req: Req, @Args('id', { type: () => ID }) id: string, @Args('input', { type: () => JSONScalar }) input: unknown): Promise<DiagnosisRule> {
    return this.rest(req, 'PUT', `/api/diagnosis/rules/${seg(id)}`, input);
  }

  @Mutation(() => Boolean, { description: 'Delete a diagnosis rule (DELETE /api/diagnosis/rules/:id; admin); true when done' })
  @RequireScope('admin')
  async deleteDiagnosisRule(@Context('req') req: Req, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.rest(req, 'DELETE', `/api/diagnosis/rules/${seg(id)}`);
    return true;
  }

  // ---- subscriptions (graphql-ws) ----

  @Subscription(() => ModelStageChange, {
    description: "Every stage change of a model (register, promote, rollback, archive), in order, from the first (the history of GET /api/models/:name/versions); waits for a model that has no version yet; never ends",
    resolve: (c: ModelStageChange) => c,
  })
  @RequireScope('read')
  modelEvents(@Context('req') req: Req, @Args('name') name: string): AsyncIterator<ModelStageChange> {
    let sent = 0;
    return new PollingIterator<ModelStageChange>(async () => {
      let history: ModelStageChange[] = [];
      try {
        history = (await this.rest<ModelVersions>(req, 'GET', `/api/models/${seg(name)}/versions`)).history;
      } catch (err) {
        if (!(err instanceof GraphQLError && err.extensions.code === 'MODEL_NOT_FOUND')) throw err;
      }
      const step = modelHistoryStep(history, sent);
      sent = step.sent;
      return { items: step.items, done: false };
    }, POLL_MS);
  }

  @Subscription(() => AnomalyStream, {
    description: 'A node metric each time its peak anomaly score over windowSec (default 600) reaches threshold (default 0.5) at a new instant, oldest peak first (GET /api/anomalies); never ends',
    resolve: (a: AnomalyStream) => a,
  })
  @RequireScope('read')
  anomalyEvents(
    @Context('req') req: Req,
    @Args('threshold', { type: () => Float, nullable: true }) threshold?: number,
    @Args('windowSec', { type: () => Int, nullable: true }) windowSec?: number,
  ): AsyncIterator<AnomalyStream> {
    if (threshold !== undefined && threshold !== null && !(threshold >= 0 && threshold <= 1)) {
      throw new GatewayError('VALIDATION_FAILED', `threshold: must be between 0 and 1 (got ${threshold})`, { issues: ['threshold: must be between 0 and 1'] });
    }
    let cursor: AnomalyCursor = new Map();
    return new PollingIterator<AnomalyStream>(async () => {
      const step = anomalyStep(await this.rest<AnomalyStream[]>(req, 'GET', restPath('/api/anomalies', { windowSec })), threshold ?? 0.5, cursor);
      cursor = step.cursor;
      return { items: step.items, done: false };
    }, POLL_MS);
  }
}
