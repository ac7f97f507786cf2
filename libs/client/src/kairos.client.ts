import type { z } from 'zod';
import type { CreateScheduleInput, RerunWorkflow, SubmitRepair, SubmitTaskInput, SubmitWorkflowInput } from '@kairos/contracts';
import {
  ApiErrorBodySchema,
  ApiKeyViewSchema,
  CreatedApiKeySchema,
  JsonValueSchema,
  ModelSummarySchema,
  ModelVersionSchema,
  ModelVersionsSchema,
  PredictionSchema,
  QueueListSchema,
  QueuePolicySchema,
  RepairAcceptedSchema,
  ScheduleListSchema,
  ScheduleTickListSchema,
  ScheduleTriggeredSchema,
  ScheduleViewSchema,
  StatsSchema,
  TaskDetailSchema,
  TaskViewSchema,
  WorkflowRerunSchema,
  WorkflowSummarySchema,
  WorkflowViewSchema,
  type ApiKeyScope,
  type ApiKeyView,
  type CreatedApiKey,
  type JsonValue,
  type ModelSummary,
  type ModelVersion,
  type ModelVersions,
  type Prediction,
  type QueueList,
  type QueuePolicy,
  type RepairAccepted,
  type ScheduleTick,
  type ScheduleTriggered,
  type ScheduleView,
  type Stats,
  type TaskDetail,
  type TaskView,
  type WorkflowRerun,
  type WorkflowSummary,
  type WorkflowView,
} from './api.schemas';
import { KairosClientError } from './client.errors';
import { pageSchema, type Page, type PageRequest } from './page';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs, RETRYABLE_STATUSES, type RetryPolicy } from './retry.policy';

export interface KairosClientOptions {
  /** Where the gateway (or standalone) listens, e.g. http://127.0.0.1:3000; a path prefix is kept. */
  baseUrl: string;
  /** API key (`kairos_<id>_<secret>`), sent as `Authorization: Bearer …` when set. */
  apiKey?: string;
  /** Per try; default 10 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Injected for tests; default the global fetch. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  userAgent?: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryParams = Record<string, string | number | boolean | undefined>;

export interface RequestOptions<S extends z.ZodType> {
  query?: QueryParams;
  body?: unknown;
  /** Checks the answer; a mismatch is a BAD_RESPONSE error naming the fields. */
  schema: S;
  /** Safe to send twice: network failures are retried too (GET, PUT and DELETE are). */
  idempotent?: boolean;
}

export interface TaskListFilter extends PageRequest {
  status?: string;
  queue?: string;
}

export interface WorkflowListFilter extends PageRequest {
  status?: string;
}

export interface QueuePolicyUpdate {
  policy?: string;
  placement?: string;
  /** Max concurrently running tasks of the queue; null lifts the limit. */
  maxConcurrent?: number | null;
}

export interface TrainRequest {
  maxRows?: number;
  validationFraction?: number;
  trees?: number;
  deploy?: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Typed client of the Kairos REST API over the global fetch: one method per endpoint, answers checked
 * against the API's shapes, errors as KairosClientError carrying the server's `{ error, message,
 * details }`. Retries 503 and 429 (honouring Retry-After) and network failures of idempotent requests.
 */
export class KairosClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly userAgent: string;

  constructor(opts: KairosClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw new TypeError(`baseUrl: not a URL: ${JSON.stringify(opts.baseUrl)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`baseUrl: must be http:// or https://, got ${url.protocol}`);
    if (url.search || url.hash) throw new TypeError('baseUrl: must not carry a query or fragment');
    this.baseUrl = url.toString().replace(/\/+$/, '');
    this.apiKey = opts.apiKey;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = opts.sleep ?? defaultSleep;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.userAgent = opts.userAgent ?? 'kairos-client';
  }

  // ---- tasks ----

  /** 201 → created; 200 → an earlier task with the same idempotency key. */
  async submitTask(spec: SubmitTaskInput): Promise<{ task: TaskView; created: boolean }> {
    const { status, data } = await this.send('POST', '/api/tasks', { body: spec, schema: TaskViewSchema, idempotent: spec.idempotencyKey !== undefined });
    return { task: data, created: status === 201 };
  }

  listTasks(filter: TaskListFilter = {}): Promise<Page<TaskView>> {
    return this.request('GET', '/api/tasks', { query: { ...filter }, schema: pageSchema(TaskViewSchema) });
  }

  getTask(id: string): Promise<TaskDetail> {
    return this.request('GET', `/api/tasks/${seg(id)}`, { schema: TaskDetailSchema });
  }

  cancelTask(id: string): Promise<TaskView> {
    return this.request('POST', `/api/tasks/${seg(id)}/cancel`, { schema: TaskViewSchema, idempotent: true });
  }

  // ---- workflows ----

  submitWorkflow(spec: SubmitWorkflowInput): Promise<WorkflowView> {
    return this.request('POST', '/api/workflows', { body: spec, schema: WorkflowViewSchema });
  }

  listWorkflows(filter: WorkflowListFilter = {}): Promise<Page<WorkflowSummary>> {
    return this.request('GET', '/api/workflows', { query: { ...filter }, schema: pageSchema(WorkflowSummarySchema) });
  }

  getWorkflow(id: string): Promise<WorkflowView> {
    return this.request('GET', `/api/workflows/${seg(id)}`, { schema: WorkflowViewSchema });
  }

  rerunWorkflow(id: string, body: Partial<RerunWorkflow> = {}): Promise<WorkflowRerun> {
    return this.request('POST', `/api/workflows/${seg(id)}/rerun`, { body, schema: WorkflowRerunSchema });
  }

  cancelWorkflow(id: string): Promise<WorkflowView> {
    return this.request('POST', `/api/workflows/${seg(id)}/cancel`, { schema: WorkflowViewSchema, idempotent: true });
  }

  // ---- schedules ----

  createSchedule(spec: CreateScheduleInput): Promise<ScheduleView> {
    return this.request('POST', '/api/schedules', { body: spec, schema: ScheduleViewSchema });
  }

  listSchedules(limit = 100): Promise<ScheduleView[]> {
    return this.request('GET', '/api/schedules', { query: { limit }, schema: ScheduleListSchema });
  }

  getSchedule(id: string): Promise<ScheduleView> {
    return this.request('GET', `/api/schedules/${seg(id)}`, { schema: ScheduleViewSchema });
  }

  scheduleTicks(id: string, limit = 100): Promise<ScheduleTick[]> {
    return this.request('GET', `/api/schedules/${seg(id)}/ticks`, { query: { limit }, schema: ScheduleTickListSchema });
  }

  pauseSchedule(id: string): Promise<ScheduleView> {
    return this.request('POST', `/api/schedules/${seg(id)}/pause`, { schema: ScheduleViewSchema, idempotent: true });
  }

  resumeSchedule(id: string): Promise<ScheduleView> {
    return this.request('POST', `/api/schedules/${seg(id)}/resume`, { schema: ScheduleViewSchema, idempotent: true });
  }

  triggerSchedule(id: string): Promise<ScheduleTriggered> {
    return this.request('POST', `/api/schedules/${seg(id)}/trigger`, { schema: ScheduleTriggeredSchema });
  }

  deleteSchedule(id: string): Promise<ScheduleView> {
    return this.request('DELETE', `/api/schedules/${seg(id)}`, { schema: ScheduleViewSchema, idempotent: true });
  }

  // ---- queues, repairs, platform ----

  listQueues(): Promise<QueueList> {
    return this.request('GET', '/api/queues', { schema: QueueListSchema });
  }

  setQueuePolicy(queue: string, update: QueuePolicyUpdate): Promise<QueuePolicy> {
    return this.request('PUT', `/api/queues/${seg(queue)}/policy`, { body: update, schema: QueuePolicySchema });
  }

  requestRepair(repair: Partial<SubmitRepair> & Pick<SubmitRepair, 'action' | 'reason'>): Promise<RepairAccepted> {
    return this.request('POST', '/api/repairs', { body: repair, schema: RepairAcceptedSchema });
  }

  listRepairs(): Promise<JsonValue> {
    return this.request('GET', '/api/repairs', { schema: JsonValueSchema });
  }

  stats(): Promise<Stats> {
    return this.request('GET', '/api/stats', { schema: StatsSchema });
  }

  deadLetters(): Promise<JsonValue> {
    return this.request('GET', '/api/dead-letters', { schema: JsonValueSchema });
  }

  executorStatus(): Promise<JsonValue> {
    return this.request('GET', '/api/executor/status', { schema: JsonValueSchema });
  }

  health(): Promise<JsonValue> {
    return this.request('GET', '/health', { schema: JsonValueSchema });
  }

  // ---- analyzer ----

  /**
   * The duration estimate made when the task was queued; null when there is none (yet). A server
   * without the route (no analyzer behind it) is an error, not "no estimate".
   */
  async predictionForTask(taskId: string): Promise<Prediction | null> {
    try {
      return await this.request('GET', `/api/predictions/${seg(taskId)}`, { schema: PredictionSchema });
    } catch (err) {
      if (err instanceof KairosClientError && err.status === 404 && !err.isRouteMissing) return null;
      throw err;
    }
  }

  listModels(): Promise<ModelSummary[]> {
    return this.request('GET', '/api/models', { schema: pageSchema(ModelSummarySchema) }).then((p) => p.items);
  }

  modelVersions(name: string): Promise<ModelVersions> {
    return this.request('GET', `/api/models/${seg(name)}/versions`, { schema: ModelVersionsSchema });
  }

  trainDurationModel(req: TrainRequest = {}): Promise<ModelVersion> {
    return this.request('POST', '/api/models/duration/train', { body: req, schema: ModelVersionSchema });
  }

  /** Through the deploy gate; `force` overrides a refusal (its reason is audited). */
  deployModel(name: string, version: number, force?: { reason: string }): Promise<ModelVersion> {
    return this.request('POST', `/api/models/${seg(name)}/versions/${version}/deploy`, { body: force ? { force } : {}, schema: ModelVersionSchema, idempotent: true });
  }

  rollbackModel(name: string): Promise<ModelVersion> {
    return this.request('POST', `/api/models/${seg(name)}/rollback`, { schema: ModelVersionSchema });
  }

  modelAccuracy(name: string): Promise<JsonValue> {
    return this.request('GET', `/api/models/${seg(name)}/accuracy`, { schema: JsonValueSchema });
  }

  modelDrift(name: string): Promise<JsonValue> {
    return this.request('GET', `/api/models/${seg(name)}/drift`, { schema: JsonValueSchema });
  }

  // ---- API keys ----

  /** `tenant`: the key's tenant (default: the creating key's). */
  createKey(req: { name: string; scopes: readonly ApiKeyScope[]; tenant?: string }): Promise<CreatedApiKey> {
    return this.request('POST', '/api/keys', { body: req, schema: CreatedApiKeySchema });
  }

  listKeys(page: PageRequest = {}): Promise<Page<ApiKeyView>> {
    return this.request('GET', '/api/keys', { query: { ...page }, schema: pageSchema(ApiKeyViewSchema) });
  }

  async revokeKey(id: string): Promise<void> {
    await this.send('DELETE', `/api/keys/${seg(id)}`, { schema: JsonValueSchema.optional() });
  }

  /** Every item of a paginated list, following nextCursor (a bare-array answer is one page). */
  async *paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
    let cursor: string | undefined;
    for (;;) {
      const page = await fetchPage(cursor);
      yield* page.items;
      if (page.nextCursor === null || page.nextCursor === cursor) return;
      cursor = page.nextCursor;
    }
  }

  // ---- transport ----

  async request<S extends z.ZodType>(method: HttpMethod, path: string, opts: RequestOptions<S>): Promise<z.infer<S>> {
    return (await this.send(method, path, opts)).data;
  }

  private async send<S extends z.ZodType>(method: HttpMethod, path: string, opts: RequestOptions<S>): Promise<{ status: number; data: z.infer<S> }> {
    const url = this.urlFor(path, opts.query);
    const idempotent = opts.idempotent ?? method !== 'POST';
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.userAgent };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchFn(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (err) {
        const failure = this.networkError(method, url, err);
        const delay = idempotent ? retryDelayMs(this.retry, attempt, undefined, this.random) : null;
        if (delay === null) throw failure;
        await this.sleep(delay);
        continue;
      }
      const text = await res.text().catch(() => '');
      if (res.ok) return { status: res.status, data: this.parseBody(method, url, res.status, text, opts.schema) };
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
      if (RETRYABLE_STATUSES.includes(res.status)) {
        const delay = retryDelayMs(this.retry, attempt, retryAfterMs, this.random);
        if (delay !== null) {
          await this.sleep(delay);
          continue;
        }
      }
      throw this.apiError(method, url, res, text, retryAfterMs);
    }
  }

  private urlFor(path: string, query: QueryParams | undefined): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  private parseBody<S extends z.ZodType>(method: string, url: string, status: number, text: string, schema: S): z.infer<S> {
    let json: unknown = undefined;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        throw new KairosClientError('BAD_RESPONSE', `${method} ${url}: answer ${status} is not JSON: ${snippet(text)}`, { method, url, status });
      }
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
      throw new KairosClientError('BAD_RESPONSE', `${method} ${url}: unexpected answer (${fields.join('; ')})`, { method, url, status });
    }
    return parsed.data;
  }

  private apiError(method: string, url: string, res: Response, text: string, retryAfterMs: number | undefined): KairosClientError {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const parsed = ApiErrorBodySchema.safeParse(body);
    if (parsed.success) {
      return new KairosClientError('API_ERROR', parsed.data.message, {
        method,
        url,
        status: res.status,
        serverCode: parsed.data.error,
        details: parsed.data.details ?? {},
        retryAfterMs,
      });
    }
    const summary = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${text.trim() ? `: ${snippet(text)}` : ''}`;
    return new KairosClientError('API_ERROR', summary, { method, url, status: res.status, retryAfterMs });
  }

  private networkError(method: string, url: string, err: unknown): KairosClientError {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      return new KairosClientError('TIMEOUT', `${method} ${url}: no answer within ${this.timeoutMs} ms`, { method, url, cause: err });
    }
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
    const reason = code ?? (cause instanceof Error ? cause.message : String(cause));
    return new KairosClientError('UNREACHABLE', `cannot reach ${new URL(url).origin} (${reason})`, { method, url, cause: err });
  }
}

/** One path segment, escaped: an id never changes the route. */
function seg(value: string): string {
  return encodeURIComponent(value);
}

function snippet(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}
